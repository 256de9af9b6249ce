"""The models of a Vorlage's summary (issue 13; docs/summaries.md).

Two kinds:

* what the model writes: :class:`SummaryOut` (the whole summary) and :class:`PartNotes` (the
  notes on one part of a long Vorlage, the map step); German field names and descriptions,
  because the model reads the JSON schema;
* what is kept: :class:`SummaryRecord`, one line of ``summaries.jsonl``. Its record fields
  (Vorlagen-Nr., Betreff, dates, bodies, Beratungsfolge) are copied from the parsed Vorlage,
  never from the model; the model's fields come from :class:`SummaryOut` after the checks; the
  findings, the parts read and the status say how far the summary can be trusted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.schema import Beratungsschritt, Finding

__all__ = [
    "RECORD_FORMAT",
    "Betrag",
    "Coverage",
    "Integrationsbezug",
    "PartNotes",
    "PartRead",
    "SummaryOut",
    "SummaryRecord",
    "SummaryStatus",
]

RECORD_FORMAT = "vorlagen-summary/1"

SummaryStatus = Literal["ok", "befunde", "fehlgeschlagen", "unlesbar", "uebersprungen"]
"""``ok``: checked without errors; ``befunde``: kept with its error findings (never silently
wrong); ``fehlgeschlagen``: no summary (the model failed; ``reason`` says why); ``unlesbar``:
the document was not found or could not be read; ``uebersprungen``: left out (``--since``,
``--limit``; ``reason`` says why)."""

Coverage = Literal["vollstaendig", "teilweise", "keine"]
BezugArt = Literal["ist_konzept", "setzt_um", "verweist", "keiner"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Betrag(_Out):
    """One amount of money the Vorlage names, with what it is for."""

    betrag: str = Field(description="Der Betrag genau wie im Text, z. B. „45.000 Euro“.")
    zweck: str = Field(description="Wofür der Betrag ist, in wenigen Worten.")


class Integrationsbezug(_Out):
    """Whether the Vorlage is an Integrationskonzept, implements one or refers to one."""

    bezug: BezugArt = Field(
        description="ist_konzept: die Vorlage ist selbst ein Integrationskonzept; setzt_um: "
        "sie setzt eines um; verweist: sie nennt eines; keiner: kein Bezug."
    )
    referenz: str = Field(
        default="", description="Name oder Nummer des Integrationskonzepts, wie im Text."
    )


class SummaryOut(_Out):
    """The model's summary of one Vorlage (grammar-constrained JSON)."""

    kurzfassung: str = Field(
        description="3 bis 5 Sätze für Bürgerinnen und Bürger ohne Fachwissen: worum es geht, "
        "was beschlossen werden soll, was es kostet."
    )
    beschluss: str = Field(description="Der vorgeschlagene Beschluss in einem Satz.")
    entscheidendes_gremium: str = Field(
        default="", description="Das Gremium, das entscheidet, wie im Text; sonst leer."
    )
    betraege: list[Betrag] = Field(default_factory=list, max_length=12)
    schlagworte: list[str] = Field(default_factory=list, max_length=8)
    betroffene_gruppen: list[str] = Field(default_factory=list, max_length=8)
    orte: list[str] = Field(default_factory=list, max_length=8)
    integrationskonzept: Integrationsbezug = Field(
        default_factory=lambda: Integrationsbezug(bezug="keiner")
    )


class PartNotes(_Out):
    """The model's notes on one part of a long Vorlage (the map step)."""

    punkte: list[str] = Field(
        description="Die wichtigsten Aussagen dieses Teils als kurze Sätze, mit allen Beträgen, "
        "Daten und Zahlen genau wie im Text.",
        max_length=10,
    )


class PartRead(_Out):
    """One part of the Vorlage's text and whether the summary read it.

    ``start``/``end`` are character offsets into ``Vorlage.text`` (or into the joined sections
    when the text is not one of them); ``label`` names the sections in it.
    """

    label: str
    start: int
    end: int
    read: bool
    reason: str | None = None


class SummaryRecord(BaseModel):
    """One document's line in ``summaries.jsonl`` (unknown fields are refused)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["vorlagen-summary/1"] = "vorlagen-summary/1"
    source: str
    content_hash: str
    vorlage_id: str | None = None
    model: str = ""
    prompt_version: str
    status: SummaryStatus
    reason: str | None = None
    created_at: datetime
    seconds: float = 0.0
    model_calls: int = 0
    repaired: bool = False
    # copied from the parsed Vorlage
    kommune: str | None = None
    vorlagen_nr: str | None = None
    art: str | None = None
    oeffentlich: bool | None = None
    datum: date | None = None
    betreff: str | None = None
    federfuehrung: str | None = None
    beratungsfolge: list[Beratungsschritt] = Field(default_factory=list)
    entscheidungsgremium: str | None = None
    entscheidungsgremium_quelle: Literal["vorlage", "modell"] | None = None
    # written by the model, checked
    kurzfassung: str = ""
    beschluss: str = ""
    betraege: list[Betrag] = Field(default_factory=list)
    schlagworte: list[str] = Field(default_factory=list)
    betroffene_gruppen: list[str] = Field(default_factory=list)
    orte: list[str] = Field(default_factory=list)
    integrationskonzept: Integrationsbezug = Field(
        default_factory=lambda: Integrationsbezug(bezug="keiner")
    )
    # how far it can be trusted
    findings: list[Finding] = Field(default_factory=list)
    coverage: Coverage = "keine"
    parts: list[PartRead] = Field(default_factory=list)

    @property
    def summarised(self) -> bool:
        """Whether the record holds a summary (checked clean or kept with findings)."""
        return self.status in ("ok", "befunde")

    def key(self) -> tuple[str, str]:
        """What makes a document done: its content hash under one prompt version."""
        return self.content_hash, self.prompt_version
