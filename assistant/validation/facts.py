"""Facts for the ``grounded`` rule: the checkable tokens of a text, in normalised form.

:func:`extract_facts` finds every number, amount, percentage, date, year, time, paragraph
reference (§, Art.) and Vorlagen-Nr. of a text, with offsets into it, and gives each keys that
compare across spellings ("1.500,00 Euro" and "1500 EUR", "1,5 Mio. €" and "1.500.000 Euro",
"05.12.2023" and "5. Dezember 2023"; "§ 3 BauGB" is covered by "§ 3 Abs. 2 BauGB"). Citation
markers, list numbering ("1.", "2)") and attachment numbers ("Anlage 1") are not facts.
:func:`sources_of` collects what the request and the cited sources of a draft provide.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from assistant.schema import Beratungsschritt, Citation, Draft, DraftRequest
from assistant.validation.findings import mask, mask_all
from assistant.validation.markers import CITATION_MARKER, cited_numbers

Key = tuple[object, ...]

_MONTHS: dict[str, int] = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH_WORD = (
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Dezember|Jan\.|Feb\.|Mär\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Okt\.|Nov\.|Dez\.)"
)
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+"
_LETTER = "A-Za-zÄÖÜäöüß"
# A number stands alone: not glued to letters ("A7", "CO2", "Covid-19") or other digits.
_BEFORE = rf"(?<![\w.,/])(?<![{_LETTER}]-)"
_AFTER = rf"(?![\d{_LETTER}])"
_MULTIPLIERS: dict[str, Decimal] = {
    "mio.": Decimal(10**6), "million": Decimal(10**6), "millionen": Decimal(10**6),
    "mrd.": Decimal(10**9), "milliarde": Decimal(10**9), "milliarden": Decimal(10**9),
    "tsd.": Decimal(10**3), "tausend": Decimal(10**3),
}  # fmt: skip
_MULT = r"Mio\.|Millionen|Million|Mrd\.|Milliarden|Milliarde|Tsd\.|Tausend"

RE_ANLAGE = re.compile(r"\bAnlagen?\s+\d+(?:\s*(?:,|und|bis|-|–)\s*\d+)*")
RE_LIST_NUMBER = re.compile(
    r"^[ \t]*(?:\(\d{1,2}\)|\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+)(?=[ \t])", re.M
)
RE_PARAGRAPH = re.compile(
    r"(?P<sign>§§?|\bArt\.|\bArtikel)\s*"
    r"(?P<nums>\d+(?:\s?[a-z](?![\wäöüß]))?(?:\s*(?:,|und|bis|u\.|-|–)\s*\d+(?:\s?[a-z](?![\wäöüß]))?)*)"
    r"(?P<rest>(?:\s*(?:Abs\.|Absatz|Satz|S\.|Nr\.|Ziff\.|Ziffer)\s*\d+[a-z]?\b)*)"
    r"(?:\s+(?P<law>[A-ZÄÖÜ][\wÄÖÜäöü]*[A-ZÄÖÜ][\wÄÖÜäöü-]*"
    r"(?:\s+(?:NRW|NW|LSA|SH|BW|RP|M-V|[IVX]{1,4})\b)?))?"
)
RE_VORLAGEN_NR = re.compile(
    r"(?<![\w/.])(?:[A-ZÄÖÜ]{1,6}(?:/|-|\s)?)?\d{1,4}(?:/\d{1,5})+(?![\w/])"
)
RE_DATE_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?![\d])")
RE_DATE_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d])")
RE_DATE_WORDS = re.compile(
    rf"(?<![\d.])(?:(?P<d>\d{{1,2}})\.\s*)?(?P<m>{_MONTH_WORD})(?![\w])(?:\s+(?P<y>\d{{4}})(?!\d))?"
)
RE_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\s?\d)")
RE_TIME = re.compile(r"(?<![\d.,])(\d{1,2})(?:[:.](\d{2}))?\s*Uhr\b")
RE_AMOUNT_AFTER = re.compile(
    rf"{_BEFORE}(?P<num>{_NUM})(?:,-{{1,2}})?\s*(?P<mult>{_MULT})?\s*"
    r"(?P<cur>€|Euro\b|EUR\b|TEUR\b|T€)"
)
RE_AMOUNT_BEFORE = re.compile(
    rf"(?P<cur>€|\bEUR|\bEuro)\s*(?P<num>{_NUM})(?:,-{{1,2}})?(?:\s*(?P<mult>{_MULT}))?{_AFTER}"
)
RE_PERCENT = re.compile(rf"{_BEFORE}(?P<num>{_NUM})\s*(?:%|Prozent\b|v\.\s?H\.)")
RE_NUMBER = re.compile(rf"{_BEFORE}(?:{_NUM}|\d+\.\d+){_AFTER}")


@dataclass(frozen=True)
class ParaRef:
    """One paragraph reference, e.g. § 3 Abs. 2 BauGB -> ("§", "3", (("abs", "2"),), "baugb")."""

    sign: str
    number: str
    details: tuple[tuple[str, str], ...]
    law: str | None

    def covered_by(self, other: ParaRef) -> bool:
        """True when ``other`` says at least what this reference says (same §, same details)."""
        if (self.sign, self.number) != (other.sign, other.number):
            return False
        if self.law is not None and self.law != other.law:
            return False
        theirs = dict(other.details)
        return all(theirs.get(kind) == value for kind, value in self.details)


@dataclass(frozen=True)
class Fact:
    """A checkable token: what it is (German label), where, and its normalised keys.

    ``needs``: every key must be provided by a source for the fact to be grounded.
    ``provides``: what the fact grounds when it occurs in a source.
    """

    label: str
    raw: str
    start: int
    end: int
    needs: tuple[Key, ...]
    provides: tuple[Key, ...]
    paragraphs: tuple[ParaRef, ...] = ()


def _de_number(text: str) -> Decimal | None:
    """German number -> Decimal: 1.500,00 -> 1500; 1,5 -> 1.5; 1.500 -> 1500; 3.2 -> 3.2."""
    text = text.strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        return 2000 + value if value < 70 else 1900 + value
    return value


def _date_keys(
    year: int | None, month: int, day: int | None
) -> tuple[tuple[Key, ...], tuple[Key, ...]]:
    """(needs, provides) for a date that may lack its day or its year."""
    provides: list[Key] = []
    if year is not None and day is not None:
        needs: Key = ("date", year, month, day)
        provides.append(needs)
    elif year is not None:
        needs = ("month", year, month)
    else:
        needs = ("daymonth", month, day)
    if year is not None:
        provides += [("month", year, month), ("num", Decimal(year))]
    if day is not None:
        provides.append(("daymonth", month, day))
    return (needs,), tuple(provides)


def _valid_date(month: int, day: int | None) -> bool:
    return 1 <= month <= 12 and (day is None or 1 <= day <= 31)


def _facts_paragraph(text: str) -> Iterator[Fact]:
    for match in RE_PARAGRAPH.finditer(text):
        sign = "§" if match.group("sign").startswith("§") else "art"
        details = tuple(
            (kind.lower().rstrip(".").replace("absatz", "abs").replace("ziffer", "ziff"), value)
            for kind, value in re.findall(
                r"(Abs\.|Absatz|Satz|S\.|Nr\.|Ziff\.|Ziffer)\s*(\d+[a-z]?)", match.group("rest")
            )
        )
        details = tuple(("satz", v) if k == "s" else (k, v) for k, v in details)
        law_text = match.group("law")
        law = re.sub(r"[\s-]", "", law_text).lower() if law_text else None
        numbers = re.findall(r"\d+(?:\s?[a-z](?![\wäöüß]))?", match.group("nums"))
        refs = tuple(ParaRef(sign, n.replace(" ", ""), details, law) for n in numbers)
        yield Fact(
            "Die Vorschrift", match.group().strip(), match.start(), match.end(), (), (), refs
        )


def _facts_vorlagen_nr(text: str) -> Iterator[Fact]:
    for match in RE_VORLAGEN_NR.finditer(text):
        raw = match.group()
        years = re.fullmatch(r"((?:19|20)\d\d)/(\d\d|\d{4})", raw)
        if years and int(years.group(2)[-2:]) == (int(years.group(1)) + 1) % 100:
            first = Decimal(years.group(1))
            keys: tuple[Key, ...] = (("num", first), ("num", first + 1))
            yield Fact("Der Zeitraum", raw, match.start(), match.end(), keys, keys)
            continue
        norm = re.sub(r"[\s/-]+", "/", raw.upper())
        parts = norm.split("/")
        suffixes = tuple(("nr", "/".join(parts[i:])) for i in range(len(parts) - 1))
        yield Fact(
            "Die Vorlagen-Nummer", raw, match.start(), match.end(), (("nr", norm),), suffixes
        )


def _facts_dates(text: str) -> Iterator[Fact]:
    for pattern, order in ((RE_DATE_NUMERIC, "dmy"), (RE_DATE_ISO, "ymd")):
        for match in pattern.finditer(text):
            values = dict(zip(order, match.groups(), strict=True))
            numeric_day, numeric_month = int(values["d"]), int(values["m"])
            if _valid_date(numeric_month, numeric_day):
                needs, provides = _date_keys(_year(values["y"]), numeric_month, numeric_day)
                yield Fact("Das Datum", match.group(), match.start(), match.end(), needs, provides)
                text = mask(text, match.start(), match.end())
    for match in RE_DATE_WORDS.finditer(text):
        if match.group("d") is None and match.group("y") is None:
            continue
        month = _MONTHS[match.group("m").rstrip(".").lower()]
        day = int(match.group("d")) if match.group("d") else None
        year = int(match.group("y")) if match.group("y") else None
        if _valid_date(month, day):
            needs, provides = _date_keys(year, month, day)
            yield Fact("Das Datum", match.group(), match.start(), match.end(), needs, provides)
            text = mask(text, match.start(), match.end())
    for match in RE_DAY_MONTH.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if _valid_date(month, day):
            needs, provides = _date_keys(None, month, day)
            yield Fact("Das Datum", match.group(), match.start(), match.end(), needs, provides)


def _facts_times(text: str) -> Iterator[Fact]:
    for match in RE_TIME.finditer(text):
        keys: tuple[Key, ...] = (("time", int(match.group(1)), int(match.group(2) or 0)),)
        yield Fact("Die Uhrzeit", match.group(), match.start(), match.end(), keys, keys)


def _facts_amounts(text: str) -> Iterator[Fact]:
    for pattern in (RE_AMOUNT_AFTER, RE_AMOUNT_BEFORE):
        for match in pattern.finditer(text):
            value = _de_number(match.group("num"))
            if value is None:
                continue
            if match.group("mult"):
                value *= _MULTIPLIERS[match.group("mult").lower()]
            if match.group("cur") in ("TEUR", "T€"):
                value *= 1000
            keys: tuple[Key, ...] = (("num", value),)
            yield Fact("Der Betrag", match.group().strip(), match.start(), match.end(), keys, keys)
            text = mask(text, match.start(), match.end())


def _facts_percentages(text: str) -> Iterator[Fact]:
    for match in RE_PERCENT.finditer(text):
        value = _de_number(match.group("num"))
        if value is not None:
            keys: tuple[Key, ...] = (("num", value),)
            yield Fact("Die Prozentangabe", match.group(), match.start(), match.end(), keys, keys)


def _facts_numbers(text: str) -> Iterator[Fact]:
    for match in RE_NUMBER.finditer(text):
        value = _de_number(match.group())
        if value is not None:
            keys: tuple[Key, ...] = (("num", value),)
            yield Fact("Die Zahl", match.group(), match.start(), match.end(), keys, keys)


# Extractors run in this order; each one's matches are blanked out for those that follow.
_EXTRACTORS: tuple[Callable[[str], Iterator[Fact]], ...] = (
    _facts_paragraph,
    _facts_vorlagen_nr,
    _facts_dates,
    _facts_times,
    _facts_amounts,
    _facts_percentages,
    _facts_numbers,
)
# Not facts: blanked out before anything is extracted (list numbering after the dates).
_NOT_FACTS_FIRST: tuple[re.Pattern[str], ...] = (CITATION_MARKER, RE_ANLAGE)


def extract_facts(text: str) -> list[Fact]:
    """Every checkable token of ``text`` in document order, with offsets into ``text``."""
    masked = text
    for pattern in _NOT_FACTS_FIRST:
        masked = mask_all(masked, pattern)
    facts: list[Fact] = []
    for extractor in _EXTRACTORS:
        if extractor is _facts_times:
            masked = mask_all(masked, RE_LIST_NUMBER)
        found = list(extractor(masked))
        for fact in found:
            masked = mask(masked, fact.start, fact.end)
        facts.extend(found)
    return sorted(facts, key=lambda f: f.start)


def _list_number_keys(text: str) -> Iterator[Key]:
    """The numbers of the source's list items ("1.", "(2)", "3.1"): not facts of their own, but
    a text that repeats one ("beschließt: 1. Das Verfahren …", the lines joined) is grounded."""
    for match in RE_LIST_NUMBER.finditer(text):
        for number in re.findall(r"\d+", match.group()):
            yield ("num", Decimal(number))


@dataclass
class Sources:
    """What the request and the cited passages say, in normalised form."""

    keys: set[Key] = field(default_factory=set)
    paragraphs: list[ParaRef] = field(default_factory=list)

    def add_text(self, text: str | None) -> None:
        for fact in extract_facts(text or ""):
            self.keys.update(fact.provides)
            self.paragraphs.extend(fact.paragraphs)
        self.keys.update(_list_number_keys(text or ""))

    def add_step(self, step: Beratungsschritt) -> None:
        self.add_text(step.gremium)
        if step.datum is not None:
            d = step.datum
            self.keys.update(_date_keys(d.year, d.month, d.day)[1])

    def covers(self, fact: Fact) -> bool:
        return all(key in self.keys for key in fact.needs) and all(
            any(ref.covered_by(source) for source in self.paragraphs) for ref in fact.paragraphs
        )


def request_sources(request: DraftRequest) -> Sources:
    """What the clerk's request provides: its texts and the Beratungsfolge's dates."""
    sources = Sources()
    for text in (
        request.betreff,
        request.kommune,
        request.gremium,
        request.fakten,
        request.finanzielle_auswirkungen,
    ):
        sources.add_text(text)
    for step in request.beratungsfolge:
        sources.add_step(step)
    return sources


def citation_sources(citation: Citation, into: Sources | None = None) -> Sources:
    """What one cited source provides (its passage, Vorlagen-Nr. and Betreff), added to
    ``into`` when given."""
    sources = Sources() if into is None else into
    sources.add_text(citation.passage)
    sources.add_text(citation.vorlagen_nr)
    sources.add_text(citation.betreff)
    return sources


def sources_of(draft: Draft) -> Sources:
    sources = request_sources(draft.request)
    cited = cited_numbers(draft)
    for citation in draft.citations:
        if citation.n in cited:
            citation_sources(citation, sources)
    return sources
