"""Concept documents (Integrationskonzepte): recognition and parsing (docs/konzepte.md)."""

from ingest.konzept.parse import looks_like_konzept, parse_konzept

__all__ = ["looks_like_konzept", "parse_konzept"]
