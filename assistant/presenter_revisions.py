"""German wording of new versions a clerk asks for: a section written again and follow-up
refinements (part of :mod:`assistant.presenter`, which re-exports it)."""

from __future__ import annotations

__all__ = ["MISSING_DRAFT", "VERSION_SOURCES", "version_source"]

MISSING_DRAFT = "Diesen Entwurf gibt es nicht (oder Sie dürfen ihn nicht sehen)."
"""A draft that is unknown or not visible to the caller (the same sentence for both)."""

#: How a stored version came about (``assistant.ports.VersionSource``), as a clerk reads it.
VERSION_SOURCES: dict[str, str] = {
    "generated": "vom Sprachmodell geschrieben",
    "edited": "bearbeitet",
    "rewritten": "neu geschrieben",
    "refined": "verfeinert",
}


def version_source(source: str) -> str:
    """The German words for a version's source (the source itself when unknown)."""
    return VERSION_SOURCES.get(source, source)
