"""Header fields of a Vorlage: Vorlagen-Nr., Art, öffentlich, Datum, Aktenzeichen, Produkt,
Federführung, Bearbeiter, Kommune.

Council systems print these in three layouts, all handled by ``labelled_value``:

* label and value on one line ("Datum:\\t12.09.2023", "Vorlage Nr. 2017/1900");
* the value on the line after a label line, or before it (Leverkusen prints "27.10.17" above
  "Datum");
* a table: a row of labels and a row of values ("Geschäftszeichen\\tDatum" /
  "1-50/JSA\\t20.11.2023").

Only the header (the lines before the first section heading) is searched, so dates of the
Beratungsfolge or of the text are never taken for the Vorlage's own date; a field the document
does not state stays ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from assistant.schema import Beratungsschritt
from ingest.dates import MONTH_NO, MONTHS

DATE = r"\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})\b"
_DATE_RE = re.compile(DATE)
_DATE_WORDS = re.compile(rf"\b(\d{{1,2}})\.\s*({'|'.join(MONTHS)})\s+(\d{{4}})\b")
_MONTHS = {m: MONTH_NO[m.lower()] for m in MONTHS}

# "BV/2023/162", "VO/2025/246", "2017/1900", "2018/33/0590", "2025/0023", "SV-0123/2024"
VORLAGEN_NR = (
    r"(?:[A-ZÄÖÜ]{1,6}[-/ ]?)?\d{1,4}/\d{1,5}(?:/\d{1,5})?(?:/[A-ZÄÖÜ][\w\-]{0,12})?"
    r"|[A-ZÄÖÜ]{1,6}-\d{1,5}/\d{2,4}"
)
_NR_RE = re.compile(rf"\b(?:{VORLAGEN_NR})\b")
_NR_LABELLED = re.compile(
    rf"(?:Vorlage(?:n)?(?:-|\s)?(?:Nr|Nummer)\.?|\bDrucksache(?:n)?(?:-|\s)?(?:Nr\.?)?|"
    rf"Vorlage\s*-|(?:öffentlich|Beschlussvorlage|Mitteilungsvorlage|Informationsvorlage)\s+-)"
    rf"\s*:?\s*({VORLAGEN_NR}|\d{{1,6}})\b",
    re.IGNORECASE,
)

ARTEN = (
    "Beschlussvorlage",
    "Mitteilungsvorlage",
    "Informationsvorlage",
    "Berichtsvorlage",
    "Sitzungsvorlage",
    "Verwaltungsvorlage",
    "Dringlichkeitsvorlage",
    "Ergänzungsvorlage",
    "Änderungsantrag",
    "Antrag",
    "Anfrage",
    "Mitteilung",
)
_ART_RE = re.compile(rf"^(?:Vorlage-?Art:?\s*)?({'|'.join(ARTEN)})\b", re.IGNORECASE)
_ART_LABELLED = re.compile(rf"Vorlage-?n?art:\s*({'|'.join(ARTEN)})", re.IGNORECASE)

_NICHT_OEFFENTLICH = re.compile(r"\bnicht[ -]?öffentlich(?![a-zäöüß])", re.IGNORECASE)
_OEFFENTLICH = re.compile(r"(?<![\w])(?:öffentlich|Öffentlich|ÖFFENTLICH)(?![a-zäöüß])")

_KOMMUNE = re.compile(
    r"\b(?i:(Landeshauptstadt|Stadt|Landkreis|Kreis|Gemeinde|Samtgemeinde|Verbandsgemeinde|Hansestadt|"
    r"Kreisstadt|Markt|Region|Städteregion))\s+([A-ZÄÖÜ][\wÄÖÜäöüß\-]+(?:[ -](?:an der|am|im|"
    r"[A-ZÄÖÜ][\wÄÖÜäöüß\-]+))*)"
)
_KOMMUNE_GREMIUM = re.compile(
    r"(?:Rat|Magistrat|Kreistag|Gemeinderat|Stadtrat|Kreisausschuss|Stadtverordnetenversammlung)"
    r"(?: de[rs])?\s+((?:Stadt|Landkreis|Kreis|Gemeinde|Landkreises|Kreises)\s+[A-ZÄÖÜ][\wäöüß\-]+)"
)

_LABELS: dict[str, str] = {
    "datum": r"Datum",
    "aktenzeichen": r"Geschäftszeichen|Aktenzeichen|Az\.?|AZ|Dezernat/Fachbereich/AZ|Gz\.?",
    "produkt": r"Produkt(?:nummer|-Nr\.?)?",
    "federfuehrung": r"Federführung|Federführend|Dienststelle|Verantwortlich für die Umsetzung|"
    r"Verantwortlich|Fachbereich|"
    r"Fachdienst|Amt",
    "bearbeiter": r"Bearbeiter(?:/-?in|in)?|Sachbearbeiter(?:/-?in|in)?|Ansprechpartner(?:/in)?",
}
_ANY_LABEL = re.compile(
    r"^(?:" + "|".join(_LABELS.values()) + r"|Vorlage|Status|Betreff|Beratungsfolge|Termin|"
    r"Zuständigkeit|Gremium|Vorlage-Art)\b",
    re.IGNORECASE,
)
_PRODUKT_VALUE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){1,4}$")


def parse_date(text: str) -> date | None:
    """The first German date in ``text`` ("20.11.2023", "27.10.17", "16. Dezember 2024")."""
    m = _DATE_RE.search(text)
    if m:
        day, month, year = (int(p) for p in re.split(r"\.\s?", m.group(0)))
        year = year + 2000 if year < 100 else year
        return _safe_date(year, month, day)
    w = _DATE_WORDS.search(text)
    if w:
        return _safe_date(int(w.group(3)), _MONTHS[w.group(2)], int(w.group(1)))
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def labelled_value(
    lines: Sequence[str], label: str, value: str = r".+", *, mid_line: bool = False
) -> str | None:
    """The value printed for ``label`` in any of the three header layouts (module docstring).

    ``mid_line`` also accepts "label: value" after other text on the line (SessionNet prints
    "Federführend:FD Migration Bearbeiter/-in: Sladky, Corinna").
    """
    label_re = re.compile(rf"^(?:{label})\s*:?\s*$", re.IGNORECASE)
    start = r"(?:^|\t|(?<=\s))" if mid_line else r"(?:^|\t)"
    inline_re = re.compile(rf"{start}(?:{label})\s*:\s*([^\t]+)", re.IGNORECASE)
    value_re = re.compile(rf"^(?:{value})$")
    for i, line in enumerate(lines):
        m = inline_re.search(line)
        if m and value_re.match(m.group(1).strip()):
            return m.group(1).strip()
        cells = _cells(line)
        for col, cell in enumerate(cells):
            if not label_re.match(cell):
                continue
            found = _neighbour_value(lines, i, col, len(cells), value_re)
            if found:
                return found
    return None


def _neighbour_value(
    lines: Sequence[str], i: int, col: int, ncols: int, value_re: re.Pattern[str]
) -> str | None:
    def ok(value: str) -> bool:
        return bool(value_re.match(value)) and not _ANY_LABEL.match(value)

    cells = _cells(lines[i])
    if col + 1 < len(cells) and ok(cells[col + 1]):
        return cells[col + 1]
    if ncols > 1:  # a row of labels: the value row follows directly
        below = _cells(lines[i + 1]) if i + 1 < len(lines) else []
        return below[col] if len(below) == ncols and ok(below[col]) else None
    column = _label_column_value(lines, i)
    if column is not None:
        return column if ok(column) else None
    for j in (_next_filled(lines, i, 1), _next_filled(lines, i, -1)):
        if j is not None and "\t" not in lines[j] and ok(lines[j].strip()):
            return lines[j].strip()
    return None


_LABEL_ONLY = re.compile(r"^[A-ZÄÖÜ][\w./ -]{1,40}:$")
_STATUS_VALUE = re.compile(r"^(?:nicht ?)?öffentlich$", re.IGNORECASE)


def _label_column_value(lines: Sequence[str], i: int) -> str | None:
    """Forms that print a column of labels and then a column of values (Karlsruhe 2010s).

    "Termin:", "Vorlage Nr.:", "TOP:", "Verantwortlich:" followed by "15.12.2015", "2015/0718",
    "11", "öffentlich", "Dez. 6": the k-th label takes the k-th value; an unlabelled
    öffentlich/nichtöffentlich among the values is skipped when there are more values than
    labels. Returns None when line ``i`` is not part of such a label column.
    """
    if not _LABEL_ONLY.match(lines[i].strip()):
        return None
    start = i
    while (j := _next_filled(lines, start, -1)) is not None and _LABEL_ONLY.match(lines[j]):
        start = j
    labels = [start]
    while (j := _next_filled(lines, labels[-1], 1)) is not None and _LABEL_ONLY.match(lines[j]):
        labels.append(j)
    if len(labels) < 2:
        return None
    values: list[str] = []
    j = _next_filled(lines, labels[-1], 1)
    while j is not None and len(values) <= len(labels) and not _LABEL_ONLY.match(lines[j]):
        values.append(lines[j].strip())
        j = _next_filled(lines, j, 1)
    if len(values) > len(labels):
        values = [v for v in values if not _STATUS_VALUE.match(v)]
    if len(values) < len(labels):
        return None
    return values[labels.index(i)]


def _next_filled(lines: Sequence[str], i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(lines) and not lines[j].strip():
        j += step
    return j if 0 <= j < len(lines) else None


def find_vorlagen_nr(header: Sequence[str], printed: Sequence[re.Pattern[str]] = ()) -> str | None:
    """The Vorlagen-Nr. as printed: labelled first, then the value row of a label table.

    ``printed``: a profile's forms of a header line that is nothing but the number ("DS
    60/2015"); group 1 is the number.
    """
    for line in header:
        m = _NR_LABELLED.search(line)
        if m:
            return m.group(1)
    for line in header:
        for pattern in printed:
            if m := pattern.match(line.strip()):
                return m.group(1).strip()
    for i, line in enumerate(header[:-1]):
        if re.search(r"Geschäftszeichen|Datum|Aktenzeichen", line) and "\t" in line:
            for cell in reversed(_cells(header[i + 1])):
                if _NR_RE.fullmatch(cell):
                    return cell
    return None


def find_art(header: Sequence[str]) -> str | None:
    """The kind of Vorlage printed in the header (Beschlussvorlage, Mitteilungsvorlage, ...)."""
    for line in header:
        m = _ART_LABELLED.search(line)
        if m:
            return _canonical_art(m.group(1))
    for line in header:
        for cell in _cells(line):
            m = _ART_RE.match(cell)
            if m and (cell.isupper() or len(cell) <= len(m.group(1)) + 40):
                return _canonical_art(m.group(1))
    return None


def _canonical_art(word: str) -> str:
    lowered = word.lower()
    return next(a for a in ARTEN if a.lower() == lowered)


def find_oeffentlich(header: Sequence[str]) -> bool | None:
    """True for "öffentlich", False for "nichtöffentlich"; None when both or neither appear."""
    public = private = False
    for line in header:
        for cell in _cells(line):
            if len(cell) > 80:
                continue
            if _NICHT_OEFFENTLICH.search(cell):
                private = True
                cell = _NICHT_OEFFENTLICH.sub("", cell)
            if _OEFFENTLICH.search(cell):
                public = True
    if public != private:
        return public
    return None


def oeffentlich_from_beratung(steps: Iterable[Beratungsschritt]) -> bool | None:
    """When the header does not say, a Vorlage treated in public by every body is public."""
    flags = {s.oeffentlich for s in steps}
    if len(flags) == 1:
        return flags.pop()
    return None


def find_kommune(header: Sequence[str], gremien: Iterable[str]) -> str | None:
    """The municipality: a "Stadt X" line of the header, else the deciding bodies' names."""
    for line in header[:15]:
        for cell in _cells(line):
            m = _KOMMUNE.search(cell)
            if m and len(cell) <= len(m.group(0)) + 25 and not _ANY_LABEL.match(cell):
                return _title(m.group(1)) + " " + _title(m.group(2))
    for name in gremien:
        m = _KOMMUNE_GREMIUM.search(name)
        if m:
            kind, place = m.group(1).split(maxsplit=1)
            kind = {"Landkreises": "Landkreis", "Kreises": "Kreis"}.get(kind, kind)
            return f"{kind} {place}"
    return None


_COPYRIGHT = re.compile(r"^©\s*(.+)$", re.MULTILINE)


def kommune_in_text(text: str, min_count: int = 2) -> str | None:
    """The municipality a text names most often ("Gemeinde Nordstemmen"), at least twice, else
    the one a copyright line names ("© Landeshauptstadt Hannover")."""
    counts: dict[str, int] = {}
    for line in _COPYRIGHT.findall(text):
        if m := _KOMMUNE.search(line):
            counts[f"{_title(m.group(1))} {m.group(2).split(' ')[0]}"] = min_count
    for m in _KOMMUNE.finditer(text):
        kind = m.group(1)
        if kind.lower() in ("region", "markt", "kreis") or not kind[0].isupper():
            continue
        name = f"{_title(kind)} {m.group(2).split(' ')[0]}"
        counts[name] = counts.get(name, 0) + 1
    best = max(counts.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best is not None and best[1] >= min_count else None


def _title(word: str) -> str:
    if word.isupper():
        return "-".join(part.capitalize() for part in word.split("-"))
    return word[0].upper() + word[1:]


def find_datum(header: Sequence[str]) -> date | None:
    """The Vorlage's own date (a "Datum" label), never a meeting date."""
    value = labelled_value(header, _LABELS["datum"], rf"{DATE}.*")
    if value is None:
        value = _standalone_date(header)
    return parse_date(value) if value else None


def _standalone_date(header: Sequence[str]) -> str | None:
    """A date alone on a line among the first lines of the letterhead (SessionNet PDFs)."""
    filled = [line for line in header if line.strip()][:6]
    return next((line for line in filled if re.fullmatch(DATE, line.strip())), None)


def find_aktenzeichen(header: Sequence[str]) -> str | None:
    value = labelled_value(header, _LABELS["aktenzeichen"], rf"(?!{DATE}$)[\w/.\-]{{2,40}}")
    return value


def find_produkt(header: Sequence[str]) -> str | None:
    value = labelled_value(header, _LABELS["produkt"], r"\d[\d.]*")
    return value if value and _PRODUKT_VALUE.match(value) else None


def find_federfuehrung(header: Sequence[str]) -> str | None:
    """The office in charge; labels are tried in order (Federführung before Verantwortlich)."""
    value = next(
        (
            v
            for label in _LABELS["federfuehrung"].split("|")
            if (v := labelled_value(header, label, r"[^\t]{2,120}"))
        ),
        None,
    )
    if value is None:
        return None
    value = re.split(r"\s*Bearbeiter|\s*Sachbearbeiter|\s{2,}", value)[0]
    return value.strip() or None


def find_bearbeiter(header: Sequence[str]) -> str | None:
    return labelled_value(header, _LABELS["bearbeiter"], r"[^\t]{2,80}", mid_line=True)
