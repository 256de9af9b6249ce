"""The canonical schema (DESIGN.md section 2). Field names are part of the interface."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

System = Literal["oparl", "allris", "sessionnet", "pdf", "docx", "html", "text"]
Rolle = Literal["Vorberatung", "Beratung", "Entscheidung", "Kenntnisnahme", "Anhörung"]

CANONICAL_SECTIONS: tuple[str, ...] = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
    "klimaschutz",
    "anlagen",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceRef(_Model):
    """Where a Vorlage came from."""

    path: str
    system: System
    fetched_at: datetime | None = None


class Beratungsschritt(_Model):
    """One step of the Beratungsfolge (consultation sequence)."""

    gremium: str
    rolle: Rolle | None = None
    datum: date | None = None
    oeffentlich: bool | None = None
    ergebnis: str | None = None


class Section(_Model):
    """A section in document order: the heading as printed, its canonical name, its text."""

    heading: str
    canonical: str | None = None
    text: str


class Vorlage(_Model):
    """One parsed council document."""

    id: str
    source: SourceRef
    kommune: str | None = None
    vorlagen_nr: str | None = None
    art: str | None = None
    oeffentlich: bool | None = None
    datum: date | None = None
    aktenzeichen: str | None = None
    produkt: str | None = None
    federfuehrung: str | None = None
    bearbeiter: str | None = None
    betreff: str | None = None
    beratungsfolge: list[Beratungsschritt] = Field(default_factory=list)
    beschlussvorschlag: str | None = None
    sachdarstellung: str | None = None
    begruendung: str | None = None
    finanzielle_auswirkungen: str | None = None
    klimaschutz: str | None = None
    anlagen: list[str] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    text: str


def vorlage_id(normalised_text: str) -> str:
    """Stable id: sha256 of the normalised text, first 16 hex digits."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()[:16]
