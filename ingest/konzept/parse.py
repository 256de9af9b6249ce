"""A concept document (Integrationskonzept, Integrationsplan, Handlungskonzept) as a ``Vorlage``
of kind ``konzept``: recognition, title, Kommune, period, table of contents, Handlungsfelder.

The text comes from the same source readers as a Vorlage (``ingest.sources``) and gets the same
normalisation (``ingest.normalize``); then :func:`parse_konzept` reads the structure
(docs/konzepte.md). :func:`looks_like_konzept` decides, from the text alone, whether a
document is a concept rather than a Vorlage.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from assistant.schema import Konzept, Section, SourceRef, TocEntry, Vorlage, vorlage_id
from ingest import systems
from ingest.errors import IngestError
from ingest.konzept.fields import FIELD_TITLE, handlungsfelder
from ingest.konzept.lines import block_label, flat, is_furniture, squash
from ingest.konzept.overview import add_kernaussagen
from ingest.konzept.toc import Heading, TocLine, locate, numbered_headings, read_toc
from ingest.normalize import normalize
from ingest.sources.base import RawDocument

__all__ = ["find_zeitraum", "looks_like_konzept", "parse_konzept"]

_MIN_CHARS = 8_000
_VORLAGE_MARKS = re.compile(
    r"^\s*(?:Beschlussvorschlag|Beschlussantrag|Beschlussentwurf|Antrag an den|Sachdarstellung|"
    r"Sachverhalt|Beratungsfolge|Finanzielle Auswirkungen)\b",
    re.IGNORECASE | re.MULTILINE,
)
_CONCEPT_WORD = re.compile(
    r"Integrations(?:konzept|plan|programm)|Handlungskonzept|Handlungsfeld", re.IGNORECASE
)


def looks_like_konzept(text: str) -> bool:
    """Whether ``text`` reads as a concept: long, names itself a concept, has a table of
    contents or at least two Handlungsfelder with labelled blocks, and carries none of a
    Vorlage's form headings (Beschlussvorschlag, Sachdarstellung, Beratungsfolge, …)."""
    if len(text) < _MIN_CHARS or _VORLAGE_MARKS.search(text[:6000]):
        return False
    if not _CONCEPT_WORD.search(text[:4000]):
        return False
    lines = text.split("\n")
    toc, _ = read_toc(lines)
    labels = sum(1 for line in lines if block_label(line) in {"ziele", "massnahmen", "leitziel"})
    return (len(toc) >= 5 and labels >= 2) or labels >= 6


def parse_konzept(raw: RawDocument) -> Vorlage:
    """The concept in ``raw``; raises ``IngestError`` (German) when it has no text."""
    profile = systems.detect(raw.system, raw.text)
    text = normalize(_protect_labels(raw.text), profile.text_fixes)
    if not text.strip():
        raise IngestError(f"Das Dokument {Path(raw.path).name} enthält keinen lesbaren Text.")
    lines = text.split("\n")
    toc, toc_end = read_toc(lines)
    headings, entries = _headings(lines, toc, toc_end)
    titel = raw.hints.betreff or find_title(lines, toc_end)
    kommune = raw.hints.kommune or find_kommune(lines[: max(toc_end, 40)])
    konzept = Konzept(
        titel=titel,
        kommune=kommune,
        zeitraum=find_zeitraum(titel),
        beschluss_vorlagen_nr=None,
        beschluss_datum=None,
        layout=_layout(lines, headings),
        inhaltsverzeichnis=entries,
        handlungsfelder=add_kernaussagen(handlungsfelder(lines, headings), lines, headings),
    )
    return Vorlage(
        id=vorlage_id(text),
        source=SourceRef(path=raw.path, system=raw.system, fetched_at=datetime.now(UTC)),
        kommune=kommune,
        art="Konzept",
        oeffentlich=True if raw.hints.oeffentlich is None else raw.hints.oeffentlich,
        datum=raw.hints.datum,
        betreff=titel,
        sections=_sections(lines, headings),
        text=text,
        kind="konzept",
        konzept=konzept,
    )


def _protect_labels(text: str) -> str:
    """A blank line before every block label line, so that the normalisation does not join a
    label to a line ending in a hyphen ("erhoben-" + "Ziel" -> "erhoben-Ziel")."""
    return "\n".join(
        f"\n{line}" if block_label(line) is not None else line for line in text.split("\n")
    )


def _headings(
    lines: list[str], toc: list[TocLine], toc_end: int
) -> tuple[list[Heading], list[TocEntry]]:
    """The headings (from the table of contents where there is one) and the table's entries
    with whether each was found in the text."""
    if not toc:
        return numbered_headings(lines), []
    located = locate(lines, toc, toc_end)
    entries = [
        TocEntry(nummer=e.number, titel=e.title, seite=e.page, gefunden=h is not None)
        for e, h in zip(toc, located, strict=True)
    ]
    return [h for h in located if h is not None], entries


def _sections(lines: list[str], headings: list[Heading]) -> list[Section]:
    sections: list[Section] = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.start if following else len(lines)
        body = "\n".join(line for line in lines[heading.end : end] if not is_furniture(line))
        title = f"{heading.number} {heading.title}" if heading.number else heading.title
        sections.append(Section(heading=title, text=body.strip()))
    return sections


def _layout(lines: list[str], headings: list[Heading]) -> str:
    """The structure recognised, named by its labels (for ``vorlagen parse`` and the docs)."""
    labels = {flat(line).lower().rstrip(":") for line in lines if block_label(line)}
    if any(FIELD_TITLE.match(h.title) for h in headings if h.number):
        return "handlungsfeld-kapitel"
    if "leitsätze" in labels and "schwerpunkte" in labels:
        return "leitsaetze-schwerpunkte"
    if labels & {"indikatoren", "indikator"} and labels & {"mögliche maßnahmen"}:
        return "ziel-indikatoren-massnahmen"
    return "allgemein"


# --- title, Kommune, period ---------------------------------------------------------------------

_OFFICE = re.compile(
    r"\||\b(?:Stadt|Landkreis|Kreis|Gemeinde|Dezernat|Amt|Büro|Behörde|Fachbereich|Referat|"
    r"Sozial-)\b|behörde\b",
    re.IGNORECASE,
)
_STOP = re.compile(r"^(?:Vorworte?|Grußworte?|Impressum|Einleitung|Inhalt\w*)$", re.IGNORECASE)


def find_title(lines: list[str], toc_end: int) -> str:
    """The title printed on the cover: the first short lines that are no office or place."""
    parts: list[str] = []
    for line in lines[: min(max(toc_end, 1), 40)]:
        text = flat(line)
        if not text or is_furniture(text) or _OFFICE.search(text):
            continue
        repeated = any(squash(text).startswith(squash(part)) for part in parts)
        if _STOP.match(text) or len(text) > 90 or len(parts) == 3 or repeated:
            break
        parts.append(text)
    return " ".join(parts) or "Konzept"


_KOMMUNE = re.compile(r"\b((?:Stadt|Landkreis|Kreis|Gemeinde|Hansestadt)\s+[A-ZÄÖÜ][\w-]+)")


def find_kommune(lines: list[str]) -> str | None:
    """ "Stadt Karlsruhe" from a cover line "Stadt KarlsruheDezernat 3"."""
    for line in lines:
        match = _KOMMUNE.search(flat(line))
        if match:
            return re.sub(r"(?<=[a-zäöüß])(?:Dezernat|Amt|Der|Die)$", "", match.group(1))
    return None


_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:[–—-]|bis|und)\s*((?:19|20)?\d\d)\b")


def find_zeitraum(title: str) -> str | None:
    """ "2023–2026" from "Integrationskonzept 2023-2026" or "… Schwerpunkte 2024 und 2025"."""
    match = _RANGE.search(title)
    if match:
        end = match.group(2)
        end = match.group(1)[:2] + end if len(end) == 2 else end
        return f"{match.group(1)}–{end}"
    single = re.search(r"\b((?:19|20)\d\d)\b", title)
    return single.group(1) if single else None
