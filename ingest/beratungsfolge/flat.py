"""Flattened Beratungsfolge tables: the rows of a table whose cells lost their places.

PDF text layers of SD.NET forms (Nordstemmen) and of other systems print the table as lines;
a cell that wraps puts its lines above and below the row's date line::

    Beratungsfolge Termin Stand Abstimmung
    Fachausschuss Klimaschutz, Bau
    23.01.2025 Beratung und Empfehlung Einstimmig ja/lt. Beschlussvorschlag
    und Umwelt
    Mehrheitlich bei 18 Ja-Stimmen, 7 Nein-
    Beratung und Beschlussfas-
    Rat 25.03.2025 Stimmen und einer Enthaltung lt. Be-
    sung

Each row is anchored at its date. The lines between two date lines are sorted: a line that
continues the row above (its name ended unfinished, "und Umwelt", a role broken at a hyphen,
"sung") goes to it; a role phrase ("Beratung und Beschlussfassung") or a body's name before
the next date goes to the next row; vote results are dropped. After the last row, the first
line that continues nothing (the Vorlage's title) ends the block. Role words are kept apart
from the body's name ("Ortsgemeinderat Sippersfeld Entscheidung" -> body and role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Beratungsschritt, Rolle
from ingest.beratungsfolge.dates import search_date
from ingest.beratungsfolge.lines import Line, Span

_HEADER = re.compile(
    r"^Beratungsfolge\s*:?\s+(?:(?:Sitzungstermin|Termin|Datum|Sitzung|Stand|Abstimmung|"
    r"Zuständigkeit|Gremium|Status|Ergebnis|Beratungsergebnis|Rolle|Art|TOP|am)\s*)+$",
    re.IGNORECASE,
)
_MAX_LINES = 50
_ROLE_START = re.compile(
    r"^(?:Beratung|Vorberatung|Entscheidung|Kenntnisnahme|Kenntnisgabe|Beschlussfassung|"
    r"Beschlussempfehlung|Empfehlung|Anhörung|zur Kenntnis)\b",
    re.IGNORECASE,
)
_ROLE_WORD = re.compile(
    r"^(?:Beratung|Vorberatung|Entscheidung|Kenntnisnahme|Kenntnisgabe|Beschlussfassung|"
    r"Beschlussempfehlung|Empfehlung|Anhörung|und|zur|Kenntnis|[A-Za-zäöüß]+-)$",
    re.IGNORECASE,
)
_RESULT = re.compile(
    r"Stimme|Enthaltung|[Ee]instimmig|[Mm]ehrheitlich|\blt\.|Beschlussvorschlag$|Beschluss$|"
    r"^schluss|zur Kenntnis genommen|vertagt|abgelehnt|zurückgestellt",
)
_RESULT_START = re.compile(
    r"\s(?=(?:\d+\b|[Ee]instimmig|[Mm]ehrheitlich|(?:Ein|Eine|Einer|Zwei|Drei|Vier|Fünf|Sechs|"
    r"Sieben|Acht|Neun|Zehn|Elf|Zwölf)\s+(?:Ja|Nein|Stimme|Enthaltung|bei)\b))",
)
_UNFINISHED = re.compile(r"(?:[,&/-]|\b(?:und|für|der|des|die|den|im|in|zur|zum|sowie))$")
_JOINED = re.compile(r"(?<=[a-zäöüß]-)(?=[A-ZÄÖÜ])")
_PROSE_BEFORE_DATE = re.compile(
    r"\b(?:am|zum|zur|vom|von|bis|ab|seit|den|dem|ca\.)$", re.IGNORECASE
)
_STOP = re.compile(r"[☐☒]|^(?:Beschlussvorschlag|Sachverhalt|Betreff|Anlage)", re.IGNORECASE)
_ROLES: tuple[tuple[re.Pattern[str], Rolle], ...] = (
    (re.compile(r"empfehlung|vorberat", re.IGNORECASE), "Vorberatung"),
    (re.compile(r"beschlussfassung|entscheidung|beschluss", re.IGNORECASE), "Entscheidung"),
    (re.compile(r"kenntnis", re.IGNORECASE), "Kenntnisnahme"),
    (re.compile(r"anhörung", re.IGNORECASE), "Anhörung"),
    (re.compile(r"beratung", re.IGNORECASE), "Beratung"),
)
_TRAILING_ROLE = re.compile(
    r"^(?P<g>.*\S)\s+(?P<r>Entscheidung|Vorberatung|Kenntnisnahme|Beschlussfassung|Anhörung|"
    r"Beratung und (?:Beschlussfassung|Empfehlung|Beschlussempfehlung))$"
)


@dataclass
class _FlatRow:
    name: list[str] = field(default_factory=list)
    role: str = ""
    datum: date | None = None


def rolle_of(text: str) -> Rolle | None:
    """The role a role phrase states ("Beratung und Empfehlung" -> Vorberatung), if any."""
    if not _ROLE_START.match(text.strip()):
        return None
    return next((rolle for pattern, rolle in _ROLES if pattern.search(text)), None)


def split_role(gremium: str) -> tuple[str, Rolle | None]:
    """A role glued to a body's name: "Ortsgemeinderat Sippersfeld Entscheidung"."""
    m = _TRAILING_ROLE.match(gremium)
    if m is None:
        return gremium, None
    return m.group("g"), rolle_of(m.group("r"))


def find_flat(lines: list[Line]) -> tuple[list[Beratungsschritt], Span] | None:
    """Steps and span of a flattened table under a "Beratungsfolge <columns>" header, else of a
    "Beratungsverlauf:" list ("- 04.05.2026: Stadtbezirksrat Vahrenwald-List: Einstimmig")."""
    for i, line in enumerate(lines):
        if _HEADER.match(line.text):
            found = _parse(lines, i)
            if found is not None:
                return found
    for i, line in enumerate(lines):
        if _HISTORY.match(line.text):
            found = _history(lines, i)
            if found is not None:
                return found
    return None


_HISTORY = re.compile(r"^Beratungs(?:verlauf|folge)\s*:?$", re.IGNORECASE)
_HISTORY_ROW = re.compile(
    r"^(?:[-•*]\s*)?(?P<d>\d{1,2}\.\d{1,2}\.\d{2,4})\s*:\s*(?P<g>[^:]{2,120}?)"
    r"(?:\s*:\s*(?P<e>.+))?$"
)


def _history(lines: list[Line], i: int) -> tuple[list[Beratungsschritt], Span] | None:
    steps: list[Beratungsschritt] = []
    last = i
    for j in range(i + 1, min(len(lines), i + 1 + _MAX_LINES)):
        text = lines[j].text
        if not text:
            if steps:
                break
            continue
        m = _HISTORY_ROW.match(text)
        found = search_date(m.group("d")) if m else None
        if m is None or found is None:
            break
        name, rolle = split_role(m.group("g").strip())
        result = (m.group("e") or "").strip() or None
        steps.append(Beratungsschritt(gremium=name, rolle=rolle, datum=found[0], ergebnis=result))
        last = j
    return (steps, (lines[i].start, lines[last].end)) if steps else None


def _parse(lines: list[Line], i: int) -> tuple[list[Beratungsschritt], Span] | None:
    rows: list[_FlatRow] = []
    pending = _FlatRow()
    last = i
    for j in range(i + 1, min(len(lines), i + 1 + _MAX_LINES)):
        pieces = _pieces(lines[j].text)
        if pieces and _STOP.search(pieces[0]):
            break
        for text in pieces:
            found = search_date(text)
            if found is not None and _is_row(text, found):
                rows.append(_dated_row(text, found, pending))
                pending, last = _FlatRow(), j
            elif not _feed(text, rows, pending):
                return _result(rows, lines, i, last)
            elif not pending.name and not pending.role:
                last = j
    return _result(rows, lines, i, last)


def _result(
    rows: list[_FlatRow], lines: list[Line], i: int, last: int
) -> tuple[list[Beratungsschritt], Span] | None:
    steps = [s for s in (_finish(row) for row in rows) if s is not None]
    return (steps, (lines[i].start, lines[last].end)) if steps else None


def _pieces(line: str) -> list[str]:
    """A line cut where the normaliser joined a cell broken at a hyphen to the next line.

    "lt. Be-" + "Verwaltungsausschuss 18.03.2025 ..." come out as one line; the pieces keep
    their hyphen and are placed one by one (a name broken at a hyphen is joined again).
    """
    text = line.replace("\t", " ").strip()
    return [p for p in _JOINED.split(text) if p.strip()] if text else []


def _is_row(text: str, found: tuple[date, int, int]) -> bool:
    """A date line of the table, not a title line that names a date ("... zum 01.01.2016")."""
    before = text[: found[1]].strip()
    return len(before) <= 60 and not _PROSE_BEFORE_DATE.search(before)


def _dated_row(text: str, found: tuple[date, int, int], pending: _FlatRow) -> _FlatRow:
    when, start, end = found
    before, after = text[:start].strip(), text[end:].strip()
    row = _FlatRow(name=[*pending.name], role=pending.role, datum=when)
    if before:
        row.name.append(_cut_result(before))
    role = _role_words(after)
    if role:
        row.role = role
    return row


def _feed(text: str, rows: list[_FlatRow], pending: _FlatRow) -> bool:
    """Place an undated line; False when it belongs to nothing (after the last row)."""
    prev = rows[-1] if rows else None
    if text[0].islower():
        return _lower_fragment(text, prev)
    if _ROLE_START.match(text):
        if prev is not None and prev.role.endswith(("-", " und")):
            prev.role = _join(prev.role, _role_words(text))
        else:
            pending.role = _role_words(text)
        return True
    name = _cut_result(text)
    if not name or _RESULT.search(name):
        return True  # a vote result: dropped
    if (
        prev is not None
        and not pending.name
        and _UNFINISHED.search(prev.name[-1] if prev.name else "")
    ):
        prev.name.append(name)
        return True
    pending.name.append(name)
    return True


def _lower_fragment(text: str, prev: _FlatRow | None) -> bool:
    if prev is None:
        return False
    first = text.split(" ", 1)[0]
    if prev.role.endswith("-"):
        prev.role = _join(prev.role, first)
    elif prev.name and prev.name[-1].endswith("-"):
        prev.name.append(first)
    elif text.startswith("und ") and not _RESULT.search(text):
        prev.name.append(text)
    return True


def _role_words(text: str) -> str:
    words: list[str] = []
    for word in text.split():
        broken = word.endswith("-")
        if not _ROLE_WORD.match(word) or (broken and words and words[-1] != "und"):
            break
        words.append(word)
        if broken:
            break
    return " ".join(words) if words and _ROLE_START.match(words[0]) else ""


def _cut_result(text: str) -> str:
    return _RESULT_START.split(text, maxsplit=1)[0].strip()


def _join(left: str, right: str) -> str:
    if left.endswith("-") and right[:1].islower():
        return left[:-1] + right
    if left.endswith("-"):
        return left + right
    return f"{left} {right}".strip()


def _finish(row: _FlatRow) -> Beratungsschritt | None:
    name = ""
    for part in row.name:
        name = _join(name, part) if name else part
    name = re.sub(r"\s+", " ", name).strip(" ,;")
    if not name or not re.search(r"[A-Za-zÄÖÜäöü]{2}", name):
        return None
    rolle = rolle_of(row.role) if row.role else None
    if rolle is None:
        name, rolle = split_role(name)
    return Beratungsschritt(gremium=name, rolle=rolle, datum=row.datum)
