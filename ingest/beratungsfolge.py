"""The Beratungsfolge (consultation sequence) of a Vorlage: find the block, parse its steps.

``extract_beratungsfolge(text)`` takes the whole *normalised* text (``ingest.normalize``: lines
joined by "\\n", table cells by "\\t", whitespace collapsed, line-end hyphenation repaired) and
returns the steps in document order plus the character span of the block, or ``([], None)``.

Layouts understood (all seen in real exports):

* **TAB table with a header row** (Session PDF exports, Leverkusen, Lampertheim)::

      Beratungsfolge<TAB>Zuständigkeit<TAB>Termine
      Sozialausschuss<TAB>Vorberatung<TAB>05.12.2023

  Columns are mapped by their header (Datum/Termin/Sitzung am -> date, Zuständigkeit ->
  rolle, Behandlung/Öffentlichkeitsstatus -> öffentlich, Ergebnis -> result); a cell's own
  content decides where the header does not (a date is a date).
* **SessionNet line form**: "Beratungsfolge:" then, per body, "<Gremium> <Rolle>" followed by
  one or more "<date>" + "<meeting title> [result]" pairs (a body with two meetings gives two
  steps).
* **PDF tables without cell separators** (Karlsruhe 2005-2026): a header such as
  "Beratungsfolge dieser Vorlage" + "Gremium Termin TOP ö nö Ergebnis",
  "Gremien Termin TOP Ö / N Zuständigkeit", "Beratungsfolge Sitzung am TOP ö nö Ergebnis",
  "Beratungsfolge Termin Öffentlichkeitsstatus Zuständigkeit" (also with the spaces lost:
  "GremiumTerminTOPönöErgebnis"), then rows "<Gremium> <date> [TOP] [X] [Ö|N] [Rolle|Ergebnis]"
  whose parts may wrap onto several lines. A row is anchored at its date: text before the date
  (and unfinished lines above it) is the body, text after it (and result lines below it) is
  TOP, marks and result.
* **Header lines** naming the meeting the Vorlage is printed for: the labelled form
  "Gremium:" / "Termin:" / "TOP:" (values may follow the labels in a separate column) and
  "20. Sitzung des Gemeinderates am 24.01.2006 TOP 6". Such a step is merged into the table
  (same date: only missing facts are filled in) or inserted in date order.

Rules:

* ``rolle`` comes only from what the document states in a role position (a Zuständigkeit
  column, the role word of the SessionNet form): Entscheidung, Vorberatung, Beratung,
  Kenntnisnahme, Anhörung and their obvious synonyms ("Beschlussfassung" -> Entscheidung,
  "vorberatend" -> Vorberatung). A result such as "vorberaten" or "Kenntnisnahme" in an
  *Ergebnis* column stays the ``ergebnis``; no role is ever guessed.
* ``oeffentlich`` comes from an explicit Ö/N, öffentlich/nichtöffentlich cell. A bare "X" under
  "ö nö" cannot be placed in a column once the PDF layout is gone, so it stays ``None``.
* ``datum`` is the first day of the meeting (multi-day sessions "22./23.10.2013").
* The span covers the block's header line to its last row line; it is ``None`` when the steps
  come only from header lines (there is no block to keep out of other sections).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Beratungsschritt, Rolle
from ingest.dates import MONTH_NO, MONTHS

Span = tuple[int, int]

#: The layouts this module reads (module docstring); a council-system profile names the ones
#: its documents use (``ingest.systems``). "lone_row" is the one-row table of Karlsruhe's
#: Ortschaftsrat form, "header_lines" the "Gremium:"/"Termin:" labels and session lines, "flat"
#: tables whose cells lost their places (``ingest.beratungsfolge_flat``; not in the default).
LAYOUTS: frozenset[str] = frozenset({"tab", "lines", "pdf", "lone_row", "header_lines"})

# ---------------------------------------------------------------------------------------------
# Dates

_MONTHS = MONTHS
_MONTH_NO = MONTH_NO
_MONTH_ALT = "|".join(_MONTHS)
# "20.11.2023", "27.10.17", "16. Dezember 2024", "22./23.10.2013", "12.-14.03.2019"; a run of
# days before the full date is kept in ``first`` (a meeting over several days starts then).
_DATE_RE = re.compile(
    r"(?<![\d.])(?:(?P<first>\d{1,2})\.?\s?[/–-]\s?(?:\d{1,2}\.?\s?[/–-]\s?)*)?"
    r"(?P<d>\d{1,2})\.\s?(?:(?P<m>\d{1,2})\.\s?|(?P<mn>" + _MONTH_ALT + r")\s?)"
    r"(?P<y>\d{4}|\d{2}(?!\d))"
)


def _make_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_of(m: re.Match[str]) -> date | None:
    """The first day of the meeting a date match names."""
    month = int(m.group("m")) if m.group("m") else _MONTH_NO[m.group("mn").lower()]
    year = int(m.group("y"))
    if m.group("first") is not None:
        first = _make_date(year, month, int(m.group("first")))
        if first is not None:
            return first
    return _make_date(year, month, int(m.group("d")))


def _search_date(text: str) -> tuple[date, int, int] | None:
    """The first valid date in ``text`` with its (start, end) offsets."""
    for m in _DATE_RE.finditer(text):
        found = _date_of(m)
        if found is not None:
            return found, m.start(), m.end()
    return None


# ---------------------------------------------------------------------------------------------
# Vocabulary

_ROLLE_WORDS: dict[str, Rolle] = {
    "entscheidung": "Entscheidung",
    "endgültige entscheidung": "Entscheidung",
    "beschlussfassung": "Entscheidung",
    "beschließend": "Entscheidung",
    "entscheidend": "Entscheidung",
    "vorberatung": "Vorberatung",
    "vorberatend": "Vorberatung",
    "vorberatende beratung": "Vorberatung",
    "beratung": "Beratung",
    "beratend": "Beratung",
    "kenntnisnahme": "Kenntnisnahme",
    "zur kenntnisnahme": "Kenntnisnahme",
    "zur kenntnis": "Kenntnisnahme",
    "kenntnis": "Kenntnisnahme",
    "anhörung": "Anhörung",
    "anhörungen": "Anhörung",
    "beschluss": "Entscheidung",
}
_ROLLE_ALT = "|".join(sorted((re.escape(w) for w in _ROLLE_WORDS), key=len, reverse=True))
_ROLLE_AT_END = re.compile(rf"^(?P<g>.+?)\s+(?P<r>{_ROLLE_ALT})$", re.IGNORECASE)


def _rolle(word: str) -> Rolle | None:
    return _ROLLE_WORDS.get(word.strip(" .:").lower())


_OEFFENTLICH_WORDS: dict[str, bool] = {
    "ö": True,
    "öffentlich": True,
    "oe": True,
    "n": False,
    "nö": False,
    "nö.": False,
    "nöff": False,
    "nichtöffentlich": False,
    "nicht öffentlich": False,
    "nicht-öffentlich": False,
}


def _oeffentlich(word: str) -> bool | None:
    return _OEFFENTLICH_WORDS.get(word.strip().lower())


# A line that names a body (for lines without a date, to tell a new body from a result line).
_GREMIUM_WORD = re.compile(
    r"(?:rat|räte|rates|rats)\b|ausschuss|kommission|versammlung|vertretung|kreistag|"
    r"magistrat|konferenz|gremium|gremien|plenum|\bAG\b|arbeitskreis|forum",
    re.IGNORECASE,
)
# Lines that continue a result although they name a body ("Verweis an den Planungsausschuss").
_RESULT_START = re.compile(
    r"^(?:verweis|verwiesen|überweisung|überwiesen|empfehlung|zustimmung|ablehnung|kenntnis|"
    r"vorberat|genehmig|zugestimmt|beschlossen|abgelehnt|vertagt|abgesetzt|einstimmig|"
    r"mehrheitlich|deutliche|befürwortung|in |an |auf |mit |nach |der |die |das |und )",
    re.IGNORECASE,
)
# A body's name is unfinished when its line ends like this ("Ausschuss für Umwelt und").
_UNFINISHED = re.compile(
    r"(?:\b(?:und|für|der|des|die|den|dem|von|im|in|zur|zum|sowie|bzw\.?)|[,/&-])$", re.IGNORECASE
)

# ---------------------------------------------------------------------------------------------
# Block headers

_COLUMN_WORDS = re.compile(
    r"Beratungsfolge|dieser|Vorlage|Gremien|Gremium|remium|Termine?|ermin|Sitzungstermin|"
    r"Sitzung|am|TOP|OP|Ergebnis|Zuständigkeit|Öffentlichkeitsstatus|Behandlung|Datum|Status|"
    r"Beschluss|nö|ö|Ö|N|n|I|T|D|[/:|]",
)
_BF_WORD = re.compile(r"^Beratungsfolge(?:\s*dieser\s*Vorlage)?\s*:?", re.IGNORECASE)
_GREMIEN_HEAD = re.compile(r"^Gremi(?:um|en)\s*Termin", re.IGNORECASE)


def _is_column_line(line: str) -> bool:
    """True for a line made only of column titles ("Gremium Termin TOP ö nö Ergebnis")."""
    rest = _COLUMN_WORDS.sub("", line)
    return bool(line.strip()) and not rest.strip()


@dataclass
class _Columns:
    """What the block's header promises."""

    rolle: bool = False
    oeffentlich: bool = False
    ergebnis: bool = False

    def update(self, header: str) -> None:
        low = header.lower()
        self.rolle = self.rolle or "zuständigkeit" in low
        self.ergebnis = self.ergebnis or "ergebnis" in low
        self.oeffentlich = self.oeffentlich or any(
            w in low for w in ("ö / n", "ö/n", "öffentlichkeitsstatus", "behandlung", "nö")
        )


# ---------------------------------------------------------------------------------------------
# Lines with offsets


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


#: A council system's own Beratungsfolge table: steps and span, or None (``ingest.systems``).
TableReader = Callable[[list[_Line]], tuple[list[Beratungsschritt], Span] | None]


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    return out


def _filled(lines: list[_Line], i: int) -> Iterator[int]:
    """Indices of the non-empty lines from ``i`` on."""
    for j in range(i, len(lines)):
        if lines[j].text:
            yield j


# ---------------------------------------------------------------------------------------------
# Steps under construction


@dataclass
class _Row:
    gremium: list[str] = field(default_factory=list)
    datum: date | None = None
    tail: list[str] = field(default_factory=list)
    rolle: Rolle | None = None
    oeffentlich: bool | None = None
    ergebnis: str | None = None


_GENITIVE = (
    (re.compile(r"(rat)e?s$"), r"\1"),
    (re.compile(r"(ausschuss)es$"), r"\1"),
    (re.compile(r"(tag)e?s$"), r"\1"),
    (re.compile(r"(beirat)e?s$"), r"\1"),
)
_SESSION_PREFIX = re.compile(
    r"^(?:\d+\.\s*)?(?:WP\s+)?(?:(?:öffentliche|nichtöffentliche|ordentliche|gemeinsame)\s+)?"
    r"(?:Plenar)?(?:[Ss]itzung\s+(?:des\s+|der\s+)?)?",
)
_HYPHEN_SPACE = re.compile(r"(?<=[a-zäöüß])- (?!(?:und|oder|bzw|sowie|u)\b)(?=[a-zäöüß])")


def _clean_gremium(parts: list[str]) -> str:
    name = " ".join(p.replace("\t", " ") for p in parts)
    name = _HYPHEN_SPACE.sub("", re.sub(r"\s+", " ", name)).strip(" ,;:|-–")
    name = _SESSION_PREFIX.sub("", name, count=1) or name
    return name.strip()


def _genitive_to_nominative(name: str) -> str:
    words = name.split(" ")
    for pattern, repl in _GENITIVE:
        new = pattern.sub(repl, words[0])
        if new != words[0]:
            words[0] = new
            break
    return " ".join(words)


def _step(row: _Row) -> Beratungsschritt | None:
    name = _clean_gremium(row.gremium)
    if not name or not re.search(r"[A-Za-zÄÖÜäöü]{2}", name):
        return None
    return Beratungsschritt(
        gremium=name,
        rolle=row.rolle,
        datum=row.datum,
        oeffentlich=row.oeffentlich,
        ergebnis=row.ergebnis or None,
    )


# ---------------------------------------------------------------------------------------------
# Row tails: "15 X vorberaten", "4 Ö Entscheidung", "öffentlich Entscheidung"

_TOP = re.compile(
    r"^(?:TOP\s*)?(?:[IVX]+/)?\d{1,3}(?:[./]\d{1,3})*\.?(?:\s?[a-h](?![a-zäöüß]))?"
    r"(?:\s?[+/]\s?\d{1,3})*(?=\s|$|[xX]|[A-ZÄÖÜ])"
)
_MARK = re.compile(r"^[xX]{1,2}(?=\s|$|[a-zäöü]{3}|[A-ZÄÖÜ][a-zäöü]{2})")
_MARK_OR_OE = re.compile(r"^(?:[xX]{1,2}|Ö|N|ö|nö)(?=\s|$)")
_OE_TOKEN = re.compile(
    r"^(?:nicht\s?öffentlich|nicht-öffentlich|öffentlich|NÖ|nö|Ö|ö|N)(?=\s|$)", re.IGNORECASE
)


_LETTERS = re.compile(r"[A-Za-zÄÖÜäöüß]{2}")


def _apply_tail(row: _Row, cols: _Columns) -> None:
    """Split a row's tail into TOP, marks, öffentlich flag, rolle and result."""
    rest = " ".join(row.tail).strip()
    if m := _TOP.match(rest):
        rest = rest[m.end() :].lstrip()
    for _ in range(6):  # marks and Ö/N (and TOPs of merged rows) in small numbers, any order
        before = rest
        if (m := _TOP.match(rest)) and _MARK_OR_OE.match(rest[m.end() :].lstrip()):
            rest = rest[m.end() :].lstrip()
        if m := _MARK.match(rest):
            rest = rest[m.end() :].lstrip()
        m_oe = _OE_TOKEN.match(rest)
        if m_oe and (cols.oeffentlich or len(m_oe.group(0)) > 2):
            flag = _oeffentlich(m_oe.group(0))
            if not (m_oe.group(0) == "N" and not cols.oeffentlich):
                row.oeffentlich = flag if row.oeffentlich is None else row.oeffentlich
                rest = rest[m_oe.end() :].lstrip()
        if rest == before:
            break
    rest = rest.strip(" ,;")
    if not _LETTERS.search(rest):
        return
    words = rest.split(" ")
    if len(words) > 1 and len(set(words)) == 1:  # one value per merged row: "Anhörung Anhörung"
        rest = words[0]
    rolle = _rolle(rest)
    if cols.ergebnis:  # the one free-text column: "Kenntnisnahme" there is a result
        row.ergebnis = rest
    elif rolle is not None:
        row.rolle = rolle
    elif not cols.rolle:
        row.ergebnis = rest


# ---------------------------------------------------------------------------------------------
# Layout 1: TAB tables with a header row

_TAB_DATE_COL = re.compile(r"datum|termin|sitzung", re.IGNORECASE)
_TAB_ROLLE_COL = re.compile(r"zuständigkeit|rolle|beratungsart|art der beratung", re.IGNORECASE)
_TAB_OE_COL = re.compile(r"behandlung|öffentlich|status|ö\s*/\s*n", re.IGNORECASE)
_TAB_RESULT_COL = re.compile(r"ergebnis|beschluss", re.IGNORECASE)


def _parse_tab_table(lines: list[_Line], i: int) -> tuple[list[Beratungsschritt], int]:
    """Rows after the TAB header at ``i``; returns steps and the index of the last row."""
    header = [c.strip() for c in lines[i].text.split("\t")]
    steps: list[Beratungsschritt] = []
    last = i
    for j in range(i + 1, len(lines)):
        text = lines[j].text
        if "\t" not in text:
            break
        cells = [c.strip() for c in text.split("\t")]
        row = _Row(gremium=[cells[0]])
        for col, cell in enumerate(cells[1:], start=1):
            _tab_cell(row, header[col] if col < len(header) else "", cell)
        step = _step(row)
        if step is None:
            break
        steps.append(step)
        last = j
    return steps, last


def _tab_cell(row: _Row, title: str, cell: str) -> None:
    if not cell:
        return
    found = _search_date(cell)
    if found and (_TAB_DATE_COL.search(title) or found[2] - found[1] >= len(cell) - 6):
        row.datum = row.datum or found[0]
        return
    if (rolle := _rolle(cell)) is not None and not _TAB_RESULT_COL.search(title):
        row.rolle = rolle
        return
    if (flag := _oeffentlich(cell)) is not None and (_TAB_OE_COL.search(title) or len(cell) > 2):
        row.oeffentlich = flag
        return
    if _TAB_RESULT_COL.search(title):
        row.ergebnis = cell


# ---------------------------------------------------------------------------------------------
# Layout 2: SessionNet line form

_RESULT_AT_END = re.compile(
    r"\s+(?P<r>(?:(?:ungeändert|geändert|mit Änderungen(?: und Ergänzungen)?|einstimmig|"
    r"mehrheitlich)\s+)?(?:beschlossen|empfohlen|zugestimmt)|zur Kenntnis genommen|"
    r"Kenntnis genommen|abgelehnt|vertagt|zurückgestellt|zurückgezogen|verwiesen|abgesetzt|"
    r"erledigt|vorberaten)(?:\s*\([^)]*\))?\s*$",
    re.IGNORECASE,
)
_STOP_LINE = re.compile(
    r"^(?:Anlagen?|Anlage/n|Sachverhalt|Sachdarstellung|Beschlussvorschlag|Begründung|Betreff|"
    r"Verfahrensbeteiligte|Finanzielle)\b",
    re.IGNORECASE,
)


def _is_date_line(text: str) -> date | None:
    found = _search_date(text)
    if found is None or found[1] > 2:
        return None
    rest = text[found[2] :].strip()
    if rest and not re.fullmatch(r"(?:\d{1,2}:\d{2}(?:\s*Uhr)?)?", rest):
        return None
    return found[0]


def _parse_line_form(lines: list[_Line], i: int) -> tuple[list[Beratungsschritt], int]:
    """ "Gremium Rolle" lines each followed by date and meeting-title lines."""
    steps: list[Beratungsschritt] = []
    current: tuple[str, Rolle | None] | None = None
    last_row: _Row | None = None
    last = i
    after_date = False
    for j in _filled(lines, i + 1):
        text = lines[j].text
        if _STOP_LINE.match(text):
            break
        when = _is_date_line(text)
        if when is not None and current is not None:
            last_row = _Row([current[0]], when, rolle=current[1])
            steps.append(_finish_line_row(last_row))
            last, after_date = j, True
            continue
        m = _ROLLE_AT_END.match(text)
        if m and len(text) <= 120 and "\t" not in text:
            current = (m.group("g"), _rolle(m.group("r")))
            last, after_date = j, False
            continue
        if after_date and last_row is not None and len(text) <= 200:
            res = _RESULT_AT_END.search(text)
            if res:
                last_row.ergebnis = res.group("r").split("(")[0].strip()
                steps[-1] = _finish_line_row(last_row)
            last, after_date = j, False
            continue
        break
    return [s for s in steps if s is not None], last


def _finish_line_row(row: _Row) -> Beratungsschritt:
    name = _clean_gremium(row.gremium) or row.gremium[0]
    return Beratungsschritt(
        gremium=name, rolle=row.rolle, datum=row.datum, ergebnis=row.ergebnis or None
    )


# ---------------------------------------------------------------------------------------------
# Layout 3: PDF tables without cell separators

_PDF_STOP = re.compile(
    r"^(?:Antrag\b|Beschluss|Kurzfassung|Information\b|Finanzielle|"
    r"Ergänzende|Erläuterung|Begründung|Sachverhalt|Sachdarstellung|Vorbemerkung|Betreff|"
    r"Anlage|Inhalt|Thema|[IVX]+\.\s|\d+\.\s+(?!(?:" + _MONTH_ALT + r")\b)[A-ZÄÖÜ]|\d+\)\s|"
    r"Der |Die |Das |Mit |Im |In |Am |Zur |Zum |Gemäß |Aufgrund |Auf |Nach |Es |Wir |Seit )",
)
# A line with nothing but TOP, marks and Ö/N ("10", "x", "5 Ö").
_TAIL_ONLY = re.compile(
    r"^(?:TOP\s*)?(?:\d{1,3}(?:[./]\d{1,3})*\.?(?:\s?[a-h])?)?(?:\s*(?:[xX]{1,2}|Ö|N|ö|nö))*$"
)
_TRAILING_TOP = re.compile(r"\s+\d{1,3}(?:\.\d{1,3})*$")
_MAX_ROW_LINE = 90
_MAX_BLOCK_LINES = 60


@dataclass
class _PdfState:
    rows: list[_Row] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    pending_tail: list[str] = field(default_factory=list)

    def flush_pending(self) -> None:
        """A body printed without a date: a row only if TOP, marks or a result go with it."""
        if self.pending:
            parts = [*self.pending[:-1], _TRAILING_TOP.sub("", self.pending[-1])]
            tail = [*self.pending_tail]
            if parts[-1] != self.pending[-1]:
                tail.insert(0, self.pending[-1][len(parts[-1]) :])
            self.rows.append(_Row(gremium=parts, tail=tail))
        self.pending.clear()
        self.pending_tail.clear()

    def take_pending(self, before: str) -> list[str]:
        parts = [*self.pending, before] if before else list(self.pending)
        self.pending.clear()
        self.pending_tail.clear()
        return parts


def _unfinished(name_line: str) -> bool:
    """A body's name continues on the next line ("Ausschuss für Umwelt und", "Gemeinderätliche")."""
    return bool(_UNFINISHED.search(name_line)) or not _GREMIUM_WORD.search(name_line)


def _pdf_line(state: _PdfState, text: str) -> bool:
    """Feed one line of a PDF table; False when the line is not part of the table."""
    found = _search_date(text)
    if found is not None:
        return _pdf_dated_line(state, text, found)
    if len(text) > _MAX_ROW_LINE:
        return False
    if state.pending:
        _pdf_pending_line(state, text)
        return True
    prev = state.rows[-1] if state.rows else None
    if prev is not None and not _starts_gremium(text):
        if prev.datum is None and (_unfinished(prev.gremium[-1]) or text.startswith("(")):
            prev.gremium.append(text)
            return True
        if prev.datum is not None:
            prev.tail.append(text)
            return True
    state.pending.append(text)
    return True


def _pdf_dated_line(state: _PdfState, text: str, found: tuple[date, int, int]) -> bool:
    when, start, end = found
    before = text[:start].strip()
    if len(before) > 70:
        return False
    if before and state.pending and not _unfinished(state.pending[-1]):
        state.flush_pending()
    parts = state.take_pending(before)
    if not parts and state.rows and state.rows[-1].datum is None:
        state.rows[-1].datum = when  # "Gemeinderat" / "03.03.2015": the body came first
        state.rows[-1].tail.append(text[end:])
        return True
    if not parts and state.rows:  # a merged cell: the body of the row above meets again
        parts = list(state.rows[-1].gremium)
    state.rows.append(_Row(gremium=parts, datum=when, tail=[text[end:]]))
    return True


def _pdf_pending_line(state: _PdfState, text: str) -> None:
    if _TAIL_ONLY.match(text):
        state.pending_tail.append(text)
    elif state.pending_tail or not (_unfinished(state.pending[-1]) or not _starts_gremium(text)):
        state.flush_pending()
        state.pending.append(text)
    else:
        state.pending.append(text)


def _starts_gremium(text: str) -> bool:
    return text[:1].isupper() and bool(_GREMIUM_WORD.search(text)) and not _RESULT_START.match(text)


def _parse_pdf_table(
    lines: list[_Line], first_row: int, cols: _Columns
) -> tuple[list[Beratungsschritt], int]:
    """Rows of a PDF table starting at line ``first_row``; returns steps and last row index."""
    state = _PdfState()
    last = first_row - 1
    seen = 0
    for j in _filled(lines, first_row):
        text = lines[j].text.replace("\t", " ")
        seen += 1
        if seen > _MAX_BLOCK_LINES or _PDF_STOP.match(text):
            break
        if len(text) > 3 and _is_column_line(text):  # the header repeated after a page break
            continue
        if not _pdf_line(state, text):
            break
        last = j
    state.flush_pending()
    return _rows_to_steps(state, cols), last


def _rows_to_steps(state: _PdfState, cols: _Columns) -> list[Beratungsschritt]:
    steps: list[Beratungsschritt] = []
    for row in state.rows:
        if row.datum is None and not "".join(row.tail).strip():
            continue  # a name without date, TOP or result: an unfilled row of the form
        _apply_tail(row, cols)
        step = _step(row)
        if step is not None:
            steps.append(step)
    return steps


@dataclass
class _Block:
    steps: list[Beratungsschritt]
    span: Span


# A table of one row without a header (Karlsruhe 2026 Ortschaftsrat form):
# "Ortschaftsrat Wolfartsweier 04.03.2026 TOP 1 Ö Beschluss".
_LONE_ROW = re.compile(
    r"^(?P<g>[A-ZÄÖÜ][^\d\t]{2,60}?)\s+(?P<rest>\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\s+TOP\s+\S+"
    r"\s+(?:Ö|N|öffentlich|nichtöffentlich|nicht öffentlich)\b.*)$"
)


def _lone_row(lines: list[_Line], i: int) -> _Block | None:
    m = _LONE_ROW.match(lines[i].text)
    if m is None or not _GREMIUM_WORD.search(m.group("g")):
        return None
    state = _PdfState()
    _pdf_line(state, lines[i].text)
    cols = _Columns(rolle=True, oeffentlich=True)
    steps = _rows_to_steps(state, cols)
    return _Block(steps, (lines[i].start, lines[i].end)) if steps else None


# ---------------------------------------------------------------------------------------------
# Finding the block


def _find_block(lines: list[_Line], layouts: frozenset[str]) -> _Block | None:
    for i, line in enumerate(lines):
        text = line.text
        if not text or text[0] not in "BbGg":
            continue
        block = _block_at(lines, i, layouts)
        if block is not None and block.steps:
            return block
    if "lone_row" not in layouts:
        return None
    for i in range(min(len(lines), _HEAD_LINES)):
        block = _lone_row(lines, i)
        if block is not None:
            return block
    return None


def _block_at(lines: list[_Line], i: int, layouts: frozenset[str]) -> _Block | None:
    text = lines[i].text
    head = _BF_WORD.match(text)
    if head is None and not _GREMIEN_HEAD.match(text):
        return None
    if head is not None and "\t" in text:
        if "tab" not in layouts:
            return None
        steps, last = _parse_tab_table(lines, i)
        return _Block(steps, (lines[i].start, lines[last].end)) if steps else None
    rest = text[head.end() :] if head is not None else text
    if rest.strip() and not _is_column_line(rest):
        return None  # "Beratungsfolge" inside a sentence
    cols = _Columns()
    cols.update(text)
    j = i + 1
    for j in _filled(lines, i + 1):
        if not _is_column_line(lines[j].text):
            break
        cols.update(lines[j].text)
    else:
        return None
    if "lines" in layouts and head is not None and not rest.strip() and j == i + _gap(lines, i):
        steps, last = _parse_line_form(lines, i)
        if steps:
            return _Block(steps, (lines[i].start, lines[last].end))
    if "pdf" not in layouts:
        return None
    steps, last = _parse_pdf_table(lines, j, cols)
    if not steps:
        return None
    return _Block(steps, (lines[i].start, lines[last].end))


def _gap(lines: list[_Line], i: int) -> int:
    """Distance from ``i`` to the next non-empty line."""
    return next((j - i for j in _filled(lines, i + 1)), 1)


# ---------------------------------------------------------------------------------------------
# Header lines: "Gremium:" / "Termin:" labels, "20. Sitzung des Gemeinderates am ... TOP 6"

_HEAD_LINES = 45
_LABEL = re.compile(
    r"^(?:Gremium|Termin|TOP|Vorlage\s*Nr\.?|Verantwortlich|Dienststelle|Sitzung|Datum)\s*:",
    re.IGNORECASE,
)
_GREMIUM_LABEL = re.compile(r"^Gremium\s*:\s*(?P<v>.*)$", re.IGNORECASE)
_TERMIN_LABEL = re.compile(r"^Termin\s*:\s*(?P<v>.*)$", re.IGNORECASE)
_SESSION_LINE = re.compile(
    r"^\d{1,3}\.\s*(?:öffentliche\s+|nichtöffentliche\s+)?(?:Plenar)?[Ss]itzung\s+"
    r"(?:des\s+|der\s+)?(?P<g>.{3,60}?)\s+am\s+(?P<rest>.+)$"
)
_OE_LINE = re.compile(r"^(?:nicht\s?öffentlich|nichtöffentlich|öffentlich)$", re.IGNORECASE)


def _header_step(lines: list[_Line]) -> Beratungsschritt | None:
    head = [ln.text for ln in lines[:_HEAD_LINES]]
    for k, text in enumerate(head):
        if m := _GREMIUM_LABEL.match(text):
            return _labelled_step(head, k, m.group("v").strip())
        if m := _SESSION_LINE.match(text):
            found = _search_date(m.group("rest"))
            if found is not None and found[1] == 0:
                name = _genitive_to_nominative(_clean_gremium([m.group("g")]))
                return Beratungsschritt(gremium=name, datum=found[0])
    return None


def _labelled_step(head: list[str], k: int, inline: str) -> Beratungsschritt | None:
    window = head[k + 1 : k + 16]
    parts = [inline] if inline else []
    if not parts:
        values = [t for t in window if t and not _LABEL.match(t)]
        if not values or _search_date(values[0]) is not None:
            return None
        parts.append(values[0])
        nxt = values[1] if len(values) > 1 else ""
        if _UNFINISHED.search(values[0]) or re.match(r"^\w+(?:rates|rats)$", nxt):
            parts.append(nxt)
    name = _genitive_to_nominative(_clean_gremium(parts))
    if not name or _search_date(name) is not None:
        return None
    when = _termin(window)
    flag = next((_oeffentlich(t) for t in window if _OE_LINE.match(t)), None)
    return Beratungsschritt(gremium=name, datum=when, oeffentlich=flag)


def _termin(window: list[str]) -> date | None:
    for n, text in enumerate(window):
        m = _TERMIN_LABEL.match(text)
        if m is None:
            continue
        found = _search_date(m.group("v")) if m.group("v") else None
        if found is not None:
            return found[0]
        for later in window[n + 1 :]:
            found = _search_date(later)
            if found is not None and found[1] == 0:
                return found[0]
        return None
    return None


def _merge(steps: list[Beratungsschritt], extra: Beratungsschritt) -> list[Beratungsschritt]:
    """Add the header's step to the table: fill in facts on a same-date row, else insert."""
    if extra.datum is None:
        return steps if steps else [extra]
    for n, step in enumerate(steps):
        if step.datum == extra.datum:
            if step.oeffentlich is None and extra.oeffentlich is not None:
                steps[n] = step.model_copy(update={"oeffentlich": extra.oeffentlich})
            return steps
    pos = next(
        (n for n, s in enumerate(steps) if s.datum is not None and s.datum > extra.datum),
        len(steps),
    )
    return [*steps[:pos], extra, *steps[pos:]]


# ---------------------------------------------------------------------------------------------


def extract_beratungsfolge(
    text: str, layouts: frozenset[str] = LAYOUTS, reader: TableReader | None = None
) -> tuple[list[Beratungsschritt], Span | None]:
    """The Beratungsfolge steps in order and the span of their block (see module docstring).

    ``layouts`` are the table forms to look for (``LAYOUTS``; a profile's choice); ``reader``
    is a council system's own table (``ingest.systems``), tried first.
    """
    lines = _lines(text)
    own = reader(lines) if reader is not None else None
    block = _Block(*own) if own is not None else _find_block(lines, layouts)
    if block is None and "flat" in layouts:
        from ingest.beratungsfolge_flat import find_flat  # imports this module

        flat = find_flat(lines)
        block = _Block(*flat) if flat is not None else None
    extra = _header_step(lines) if "header_lines" in layouts else None
    if block is None:
        return ([extra], None) if extra is not None else ([], None)
    steps = block.steps
    if extra is not None:
        steps = _merge(list(steps), extra)
    return steps, block.span
