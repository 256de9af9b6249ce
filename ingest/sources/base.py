"""What every source hands to the parser: the document's text plus metadata hints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Beratungsschritt, System


@dataclass
class Hints:
    """Metadata a container format states outside the text (OParl Paper fields, HTML title).

    Hints win over values found in the text for the same field, except where the parser knows
    the text to be more precise (documented in ``ingest.parse``).
    """

    kommune: str | None = None
    vorlagen_nr: str | None = None
    art: str | None = None
    oeffentlich: bool | None = None
    datum: date | None = None
    betreff: str | None = None
    federfuehrung: str | None = None
    beratungsfolge: list[Beratungsschritt] = field(default_factory=list)


@dataclass
class RawDocument:
    """A document's extracted text, before normalisation and segmentation."""

    text: str
    system: System
    path: str
    hints: Hints = field(default_factory=Hints)
