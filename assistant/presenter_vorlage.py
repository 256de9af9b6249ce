"""The German wording around one opened Vorlage (``assistant.usecases.vorlage_view``)."""

from __future__ import annotations

__all__ = ["SYSTEM_LABELS", "UNKNOWN_VORLAGE", "system_label"]

UNKNOWN_VORLAGE = "Diese Vorlage gibt es nicht (oder Sie dürfen sie nicht sehen)."
"""An unknown Vorlage id, or one the caller may not see (the same sentence for both)."""

#: Where a Vorlage came from (``assistant.schema.System``), as a clerk reads it.
SYSTEM_LABELS: dict[str, str] = {
    "oparl": "OParl-Schnittstelle",
    "allris": "ALLRIS-Seite",
    "sessionnet": "SessionNet-Seite",
    "pdf": "PDF-Datei",
    "docx": "Word-Datei",
    "html": "Webseite",
    "text": "Textdatei",
}


def system_label(system: str) -> str:
    """The German name of a source system (the id itself when unknown)."""
    return SYSTEM_LABELS.get(system, system)
