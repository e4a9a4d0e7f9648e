"""fanwen-corpus: collect leader speeches from 范文 sites into a clean, deduplicated SQLite corpus."""
__version__ = "0.1.0"
