"""Which parser reads a document: a Vorlage's (``ingest.parse``) or a concept's.

``art`` is what the caller says the document is: ``"konzept"``, ``"vorlage"``, or ``"auto"``
(the default: a concept when :func:`~ingest.konzept.looks_like_konzept` says so).
"""

from __future__ import annotations

from typing import Literal

from assistant.schema import Vorlage
from ingest.konzept.parse import looks_like_konzept, parse_konzept
from ingest.parse import parse_raw
from ingest.sources.base import RawDocument

__all__ = ["ART_CHOICES", "Art", "parse_document"]

Art = Literal["auto", "vorlage", "konzept"]
ART_CHOICES: tuple[Art, ...] = ("auto", "vorlage", "konzept")


def parse_document(
    raw: RawDocument, *, art: Art = "auto", redact_bearbeiter: bool = False
) -> Vorlage:
    """The document in ``raw`` as a Vorlage or as a concept (``Vorlage.kind``)."""
    if art == "konzept" or (art == "auto" and looks_like_konzept(raw.text)):
        return parse_konzept(raw)
    return parse_raw(raw, redact_bearbeiter=redact_bearbeiter)
