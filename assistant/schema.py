"""The canonical schema (docs/architecture.md). Field names are part of the interface."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

#: Where a document came from: the loader's format ("oparl", "pdf", "docx", "html", "text") or the
#: council system a profile recognised in a page or export ("allris", "sessionnet", ...;
#: ``ingest.systems``). A plain string, so that adding a profile needs no schema change.
System = str
Rolle = Literal["Vorberatung", "Beratung", "Entscheidung", "Kenntnisnahme", "Anhörung"]

# The limits of a draft request (the one rule set every entry point applies).
DEFAULT_DRAFT_K = 3
MAX_DRAFT_K = 20
MAX_FAKTEN_CHARS = 20_000

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


def rule_error(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is already the German sentence for the clerk (a request
    rule); ``assistant.presenter.invalid_input`` shows it as it is. ``message`` has no braces."""
    return PydanticCustomError(kind, message, {"german": True})


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


ParsedField = Literal[
    "betreff", "vorlagen_nr", "beschlussvorschlag", "sachdarstellung", "beratungsfolge"
]
#: What a parsed document turned out to be: ``vollstaendig`` (Beschlussvorschlag and
#: Sachdarstellung), ``teilweise`` (one of them), ``kenntnisgabe`` (a Mitteilung or Kenntnisgabe:
#: facts without a resolution), ``deckblatt`` (a cover sheet whose text is in an attachment),
#: ``unvollstaendig`` (neither resolution nor facts found).
ParseStatus = Literal["vollstaendig", "teilweise", "kenntnisgabe", "deckblatt", "unvollstaendig"]


class ParseQuality(_Model):
    """How well a document was read: the fields found, by which profile (or the fallback)."""

    profile: str
    status: ParseStatus
    found: list[ParsedField] = Field(default_factory=list)
    missing: list[ParsedField] = Field(default_factory=list)


DocumentKind = Literal["vorlage", "konzept"]
"""What a parsed document is: a council ``vorlage`` or a ``konzept`` (an Integrationskonzept or
another municipal plan with Handlungsfelder and Maßnahmen; docs/konzepte.md)."""


class Massnahme(_Model):
    """One measure of a concept. ``nummer`` is as printed ("3.2"), or derived from its place
    ("4.1.1.3", then ``nummer_abgeleitet``); the other fields where the document states them."""

    nummer: str
    nummer_abgeleitet: bool = False
    titel: str
    beschreibung: str | None = None
    zustaendigkeit: str | None = None
    zeitraum: str | None = None
    indikator: str | None = None


class Handlungsfeld(_Model):
    """One field of action: its number and title as printed (``oberfeld``: the chapter above
    it), the Leitziel (Leitsätze or Kernaussage), its Ziele, the Indikatoren stated for the
    whole field, its Maßnahmen, and its whole text."""

    nummer: str | None = None
    titel: str
    oberfeld: str | None = None
    leitziel: str | None = None
    ziele: list[str] = Field(default_factory=list)
    indikatoren: list[str] = Field(default_factory=list)
    massnahmen: list[Massnahme] = Field(default_factory=list)
    text: str = ""


class TocEntry(_Model):
    """A line of the concept's table of contents, and whether a heading in the text matches."""

    nummer: str | None = None
    titel: str
    seite: int | None = None
    gefunden: bool = False


class Konzept(_Model):
    """The structure of a concept (``Vorlage.kind == "konzept"``): title, Kommune, period, the
    adopting Vorlage where known, the table of contents and the Handlungsfelder. ``layout``
    names the structure recognised (docs/konzepte.md)."""

    titel: str
    kommune: str | None = None
    zeitraum: str | None = None
    beschluss_vorlagen_nr: str | None = None
    beschluss_datum: date | None = None
    layout: str = "allgemein"
    inhaltsverzeichnis: list[TocEntry] = Field(default_factory=list)
    handlungsfelder: list[Handlungsfeld] = Field(default_factory=list)

    def massnahmen(self) -> list[tuple[Handlungsfeld, Massnahme]]:
        """Every measure with its Handlungsfeld, in document order."""
        return [(feld, m) for feld in self.handlungsfelder for m in feld.massnahmen]


class Vorlage(_Model):
    """One parsed council document (``parse_quality``: absent in records of older versions).

    ``kind`` is ``"konzept"`` for a concept; its structure is then in ``konzept``, its title in
    ``betreff`` and its text and sections as for a Vorlage (records of older versions have
    neither field and load as ``"vorlage"``)."""

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
    parse_quality: ParseQuality | None = None
    kind: DocumentKind = "vorlage"
    konzept: Konzept | None = None


MAX_ID_LENGTH = 300
"""The longest id a citation may name (ids made here are 16 hex digits)."""

ID_PATTERN = r"^[!-~]+$"
"""An id is printable ASCII without spaces: what the draft archive records in its audit log."""


def vorlage_id(normalised_text: str) -> str:
    """Stable id: sha256 of the normalised text, first 16 hex digits."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()[:16]


class ChunkMetadata(_Model):
    """The Vorlage's fields a chunk carries for filters and citations.

    A concept's chunks also carry ``kind="konzept"``, its ``zeitraum`` and, per chunk, the
    ``handlungsfeld`` and the ``massnahme`` number; a Vorlage's chunks leave them ``None``
    (``kind`` ``None`` means a Vorlage, so chunks stored before concepts existed stay valid).
    """

    kommune: str | None = None
    vorlagen_nr: str | None = None
    betreff: str | None = None
    datum: date | None = None
    art: str | None = None
    oeffentlich: bool | None = None
    gremien: list[str] = Field(default_factory=list)
    kind: DocumentKind | None = None
    zeitraum: str | None = None
    handlungsfeld: str | None = None
    massnahme: str | None = None

    def document_kind(self) -> DocumentKind:
        return self.kind or "vorlage"


#: ChunkMetadata fields added for concepts: left out of a chunk's fingerprint while ``None``,
#: so that the fingerprints of chunks stored before them (and the ledger's digests) still hold.
_CONCEPT_FIELDS = frozenset({"kind", "zeitraum", "handlungsfeld", "massnahme"})


class Chunk(_Model):
    """One indexed passage of a Vorlage.

    ``id`` is ``"{vorlage_id}:{section}:{ordinal}"`` (see :meth:`make_id`): deterministic, so
    re-ingesting the same Vorlage yields the same ids and an upsert replaces rather than adds.
    """

    id: str
    vorlage_id: str
    section: str
    text: str
    metadata: ChunkMetadata = Field(default_factory=ChunkMetadata)

    @staticmethod
    def make_id(vorlage_id: str, section: str, ordinal: int) -> str:
        """The chunk id for the ``ordinal``-th chunk (from 0) of ``section`` in a Vorlage."""
        return f"{vorlage_id}:{section}:{ordinal}"

    def fingerprint(self) -> str:
        """sha256 (first 16 hex digits) over everything an index stores about this chunk.

        Two indexes agree on a chunk when they hold the same id with the same fingerprint.
        """
        unset = {name for name in _CONCEPT_FIELDS if getattr(self.metadata, name) is None}
        data = self.model_dump_json(exclude={"metadata": unset})
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


class SearchFilter(_Model):
    """Metadata filters for a search; ``None`` means "no restriction" for that field.

    ``since`` keeps chunks whose Vorlage is dated on or after that day (undated ones drop out);
    ``oeffentlich`` keeps only chunks with exactly that value (unknown ones drop out);
    ``kind`` keeps only Vorlagen or only concepts.
    """

    kommune: str | None = None
    art: str | None = None
    # strict: a request's ``0`` or ``"no"`` is refused, never read as "öffentlich only"
    oeffentlich: StrictBool | None = None
    since: date | None = None
    kind: DocumentKind | None = None

    def is_empty(self) -> bool:
        return (
            self.kommune is None
            and self.art is None
            and self.oeffentlich is None
            and (self.since is None)
            and self.kind is None
        )

    def matches(self, metadata: ChunkMetadata) -> bool:
        """The reference semantics every index backend implements."""
        if self.kommune is not None and metadata.kommune != self.kommune:
            return False
        if self.art is not None and metadata.art != self.art:
            return False
        if self.oeffentlich is not None and metadata.oeffentlich is not self.oeffentlich:
            return False
        if self.kind is not None and metadata.document_kind() != self.kind:
            return False
        return self.since is None or (metadata.datum is not None and metadata.datum >= self.since)


class Hit(_Model):
    """A chunk found by a retriever; a higher ``score`` is a better match.

    ``score`` is the cosine similarity for ``dense``, the BM25 score for ``keyword`` and the
    fused score for ``hybrid``: comparable within one result list only.
    """

    chunk: Chunk
    score: float
    retriever: Literal["dense", "keyword", "hybrid"]


# --- Drafting (docs/drafting.md; the rules: docs/architecture.md) -----------------------------

Severity = Literal["error", "warning"]


class Citation(_Model):
    """A retrieved passage the draft may cite as ``[n]`` (``n`` counts from 1).

    ``oeffentlich``: whether the cited Vorlage is public (``None``: unknown, treated as not
    public wherever it matters, e.g. by the draft archive). ``datum``: the Vorlage's date.
    ``GET /api/vorlagen/{vorlage_id}`` opens the Vorlage itself. A passage of a concept has
    ``kind="konzept"``, the concept's ``zeitraum`` and its ``handlungsfeld`` and ``massnahme``
    (``assistant.presenter_konzept`` words it: "Maßnahme 3.2 des Integrationskonzepts …")."""

    n: int = Field(ge=1)
    vorlage_id: str = Field(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        pattern=ID_PATTERN,
        description="Die Kennung der zitierten Vorlage (druckbare ASCII-Zeichen ohne Leerzeichen)",
    )
    kommune: str | None = None
    vorlagen_nr: str | None = None
    betreff: str | None = None
    datum: date | None = None
    section: str
    passage: str
    score: float = 0.0
    oeffentlich: bool | None = None
    kind: DocumentKind | None = None
    zeitraum: str | None = None
    handlungsfeld: str | None = None
    massnahme: str | None = None


class Finding(_Model):
    """One result of a validation rule (``assistant.validation``).

    ``rule`` is a stable rule id (``assistant.validation.RULES``); ``message`` is German, for
    the clerk.
    ``where`` says in German where it applies ("Sachdarstellung, Zeichen 120–124: „2018“");
    ``field``, ``start``/``end`` (character offsets into that field's text) and ``token`` (the
    quoted text) say the same for programs. ``field`` names a Draft field ("sachdarstellung"),
    a request field ("request.betreff") or a list element ("beratungsfolge[1].datum").
    """

    rule: str
    severity: Severity
    message: str
    where: str = ""
    field: str | None = None
    start: int | None = None
    end: int | None = None
    token: str | None = None


class ValidationReport(_Model):
    """The findings for one draft; ``ok`` is true exactly when there are no errors."""

    ok: bool = True
    errors: list[Finding] = Field(default_factory=list)
    warnings: list[Finding] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ok_means_no_errors(self) -> ValidationReport:
        if self.ok != (not self.errors):
            raise ValueError("ok must be true exactly when there are no errors")
        return self

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> ValidationReport:
        items = list(findings)
        errors = [f for f in items if f.severity == "error"]
        warnings = [f for f in items if f.severity == "warning"]
        return cls(ok=not errors, errors=errors, warnings=warnings)


class DraftRequest(_Model):
    """What a clerk asks for. ``gremium`` is the deciding body.

    ``kommune``, ``federfuehrung``, ``aktenzeichen`` and ``datum`` fill the header of the
    export (``datum`` defaults to the day of the export); the Vorlagen-Nr. is assigned by the
    council information system, never here.

    ``fakten`` are the clerk's key facts, free text or a bullet list (a list of strings is
    accepted and stored as "- " lines). Everything a draft states as a number, date or reference
    must come from here (or from a cited passage): see the ``grounded`` rule.

    Limits (German messages, :func:`rule_error`): ``k`` from 1 to :data:`MAX_DRAFT_K`,
    ``fakten`` and ``finanzielle_auswirkungen`` at most :data:`MAX_FAKTEN_CHARS` characters.
    An empty Betreff or Gremium is not refused here (a stored draft with one still loads, and
    the ``required`` rule reports it); a new request is checked and normalised by
    ``assistant.usecases.drafts.prepare_request``.
    """

    betreff: str
    kommune: str | None = None
    gremium: str
    beratungsfolge: list[Beratungsschritt] = Field(default_factory=list)
    art: str = "Beschlussvorlage"
    fakten: str = ""
    finanzielle_auswirkungen: str | None = None
    federfuehrung: str | None = None
    aktenzeichen: str | None = None
    datum: date | None = None
    filters: SearchFilter = Field(default_factory=SearchFilter)
    k: int = Field(
        default=DEFAULT_DRAFT_K,
        description="At most this many similar Vorlagen (the installation may allow fewer).",
        json_schema_extra={"minimum": 1, "maximum": MAX_DRAFT_K},
    )

    def with_defaults(
        self, *, kommune: str | None = None, federfuehrung: str | None = None
    ) -> DraftRequest:
        """This request with the administration's header data where it names none itself
        (the search filter is not touched: the defaults fill the header, not the search)."""
        update = {
            key: value
            for key, value in (("kommune", kommune), ("federfuehrung", federfuehrung))
            if value and value.strip() and not getattr(self, key)
        }
        return self.model_copy(update=update) if update else self

    @field_validator("fakten", mode="before")
    @classmethod
    def _bullets(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return "\n".join(f"- {str(item).strip()}" for item in value if str(item).strip())
        return value

    @field_validator("k")
    @classmethod
    def _k_in_range(cls, value: int) -> int:
        if not 1 <= value <= MAX_DRAFT_K:
            raise rule_error(
                "k_range", f"Die Zahl der Vorlagen muss zwischen 1 und {MAX_DRAFT_K} liegen."
            )
        return value

    @field_validator("fakten", "finanzielle_auswirkungen")
    @classmethod
    def _not_too_long(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and len(value) > MAX_FAKTEN_CHARS:
            limit = f"höchstens {MAX_FAKTEN_CHARS:,} Zeichen".replace(",", ".")
            what = {
                "fakten": "Die Fakten sind",
                "finanzielle_auswirkungen": "Der Text „Finanzielle Auswirkungen“ ist",
            }[str(info.field_name)]
            raise rule_error("too_long", f"{what} zu lang ({limit}).")
        return value


class Draft(_Model):
    """A proposed Vorlage text with its sources and validation.

    ``validation`` is ``None`` until the draft has been validated. ``timings`` are seconds per
    stage (e.g. "retrieval", "sachdarstellung", "validation").
    """

    request: DraftRequest
    beschlussvorschlag: str = ""
    sachdarstellung: str = ""
    begruendung: str | None = None
    finanzielle_auswirkungen: str = ""
    beratungsfolge: list[Beratungsschritt] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    validation: ValidationReport | None = None
    model: str = ""
    timings: dict[str, float] = Field(default_factory=dict)
