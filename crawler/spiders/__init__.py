"""Spiders: one generic spider (`fanwen`) driven by crawler/sites/*.toml."""
