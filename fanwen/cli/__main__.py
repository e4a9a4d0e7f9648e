from fanwen.cli import main

main()
