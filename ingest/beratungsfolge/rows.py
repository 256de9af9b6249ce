"""Rows under construction and their steps: the body's name cleaned, the row's tail
("15 X vorberaten", "4 Ö Entscheidung", "öffentlich Entscheidung") split up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Beratungsschritt, Rolle
from ingest.beratungsfolge.words import Columns, parse_oeffentlich, parse_rolle


@dataclass
class Row:
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


def clean_gremium(parts: list[str]) -> str:
    name = " ".join(p.replace("\t", " ") for p in parts)
    name = _HYPHEN_SPACE.sub("", re.sub(r"\s+", " ", name)).strip(" ,;:|-–")
    name = _SESSION_PREFIX.sub("", name, count=1) or name
    return name.strip()


def genitive_to_nominative(name: str) -> str:
    words = name.split(" ")
    for pattern, repl in _GENITIVE:
        new = pattern.sub(repl, words[0])
        if new != words[0]:
            words[0] = new
            break
    return " ".join(words)


def to_step(row: Row) -> Beratungsschritt | None:
    name = clean_gremium(row.gremium)
    if not name or not re.search(r"[A-Za-zÄÖÜäöü]{2}", name):
        return None
    return Beratungsschritt(
        gremium=name,
        rolle=row.rolle,
        datum=row.datum,
        oeffentlich=row.oeffentlich,
        ergebnis=row.ergebnis or None,
    )


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


def apply_tail(row: Row, cols: Columns) -> None:
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
            flag = parse_oeffentlich(m_oe.group(0))
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
    rolle = parse_rolle(rest)
    if cols.ergebnis:  # the one free-text column: "Kenntnisnahme" there is a result
        row.ergebnis = rest
    elif rolle is not None:
        row.rolle = rolle
    elif not cols.rolle:
        row.ergebnis = rest
