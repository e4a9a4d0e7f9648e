"""Pure functions that turn a fetched page into a clean document: HTML -> document, text -> text. No I/O."""
from cleaners.document import Document

__all__ = ["Document"]
