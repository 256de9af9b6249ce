"""Rule checks for a Draft (DESIGN.md section 5): ``validate(draft) -> ValidationReport``.

Pure functions, no LLM and no I/O. Each rule is one function ``Draft -> Iterable[Finding]`` in
the registry :data:`RULES` under a stable id (``required``, ``operative``, ``deciding-body``,
``chronology``, ``grounded``, ``citations``, ``placeholders``, ``style``). Every finding carries
its rule id, a German message for the clerk and where it applies (field, character span into
that field's text, the quoted token).

``grounded`` compares facts in normalised form: every number, amount, percentage, date, year,
time, paragraph reference (§) and Vorlagen-Nr. in the draft's texts must occur in the request
(betreff, kommune, gremium, fakten, finanzielle_auswirkungen, Beratungsfolge) or in the passage
of a citation the draft actually cites with ``[n]``. Citation markers, list numbering ("1.",
"2)") and attachment numbers ("Anlage 1") are not facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import cast

from assistant.schema import Beratungsschritt, Draft, Finding, Severity, ValidationReport

__all__ = [
    "RULES",
    "RULE_IDS",
    "Fact",
    "Rule",
    "extract_facts",
    "unmarked_quotes",
    "validate",
]

# The draft's own texts, in document order, with the German names clerks know.
TEXT_FIELDS: tuple[str, ...] = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
)
FIELD_TITLES: dict[str, str] = {
    "beschlussvorschlag": "Beschlussvorschlag",
    "sachdarstellung": "Sachdarstellung",
    "begruendung": "Begründung",
    "finanzielle_auswirkungen": "Finanzielle Auswirkungen",
    "beratungsfolge": "Beratungsfolge",
    "citations": "Quellen",
    "request.betreff": "Betreff",
}


# --- findings -----------------------------------------------------------------------------------


def _where(field_name: str | None, start: int | None, end: int | None, token: str | None) -> str:
    if field_name is None:
        return ""
    title = FIELD_TITLES.get(field_name, field_name)
    match = re.fullmatch(r"beratungsfolge\[(\d+)\](?:\.(\w+))?", field_name)
    if match:
        title = f"Beratungsfolge, Schritt {int(match.group(1)) + 1}"
    parts = [title]
    if start is not None and end is not None:
        parts.append(f"Zeichen {start + 1}–{end}")
    text = ", ".join(parts)
    return f"{text}: „{token}“" if token else text


def _finding(
    rule: str,
    message: str,
    *,
    severity: Severity = "error",
    field_name: str | None = None,
    span: tuple[int, int] | None = None,
    token: str | None = None,
) -> Finding:
    start, end = span if span is not None else (None, None)
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        where=_where(field_name, start, end, token),
        field=field_name,
        start=start,
        end=end,
        token=token,
    )


def _texts(draft: Draft) -> Iterator[tuple[str, str]]:
    """(field, text) for each non-empty draft text."""
    for name in TEXT_FIELDS:
        value = getattr(draft, name)
        if isinstance(value, str) and value.strip():
            yield name, value


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _mask(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` blanked out, offsets unchanged."""
    return text[:start] + " " * (end - start) + text[end:]


def _mask_all(text: str, pattern: re.Pattern[str]) -> str:
    for match in pattern.finditer(text):
        text = _mask(text, match.start(), match.end())
    return text


# --- citation markers ---------------------------------------------------------------------------

CITATION_MARKER = re.compile(r"\[\s*\d+(?:\s*(?:[,;]|-|–|bis)\s*\d+)*\s*\]")


def _marker_numbers(marker: str) -> list[int]:
    """[1] -> [1]; [1, 3] -> [1, 3]; [2-4] -> [2, 3, 4]."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", marker.strip("[] ")):
        bounds = [int(b) for b in re.findall(r"\d+", part)]
        if len(bounds) == 2 and bounds[0] <= bounds[1] <= bounds[0] + 20:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def _cited_numbers(draft: Draft) -> set[int]:
    return {
        n
        for _, text in _texts(draft)
        for match in CITATION_MARKER.finditer(text)
        for n in _marker_numbers(match.group())
    }


# --- facts (for `grounded`) ---------------------------------------------------------------------

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
                text = _mask(text, match.start(), match.end())
    for match in RE_DATE_WORDS.finditer(text):
        if match.group("d") is None and match.group("y") is None:
            continue
        month = _MONTHS[match.group("m").rstrip(".").lower()]
        day = int(match.group("d")) if match.group("d") else None
        year = int(match.group("y")) if match.group("y") else None
        if _valid_date(month, day):
            needs, provides = _date_keys(year, month, day)
            yield Fact("Das Datum", match.group(), match.start(), match.end(), needs, provides)
            text = _mask(text, match.start(), match.end())
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
            text = _mask(text, match.start(), match.end())


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
        masked = _mask_all(masked, pattern)
    facts: list[Fact] = []
    for extractor in _EXTRACTORS:
        if extractor is _facts_times:
            masked = _mask_all(masked, RE_LIST_NUMBER)
        found = list(extractor(masked))
        for fact in found:
            masked = _mask(masked, fact.start, fact.end)
        facts.extend(found)
    return sorted(facts, key=lambda f: f.start)


@dataclass
class _Sources:
    """What the request and the cited passages say, in normalised form."""

    keys: set[Key] = field(default_factory=set)
    paragraphs: list[ParaRef] = field(default_factory=list)

    def add_text(self, text: str | None) -> None:
        for fact in extract_facts(text or ""):
            self.keys.update(fact.provides)
            self.paragraphs.extend(fact.paragraphs)

    def add_step(self, step: Beratungsschritt) -> None:
        self.add_text(step.gremium)
        if step.datum is not None:
            d = step.datum
            self.keys.update(_date_keys(d.year, d.month, d.day)[1])

    def covers(self, fact: Fact) -> bool:
        return all(key in self.keys for key in fact.needs) and all(
            any(ref.covered_by(source) for source in self.paragraphs) for ref in fact.paragraphs
        )


def _sources(draft: Draft) -> _Sources:
    request = draft.request
    sources = _Sources()
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
    cited = _cited_numbers(draft)
    for citation in draft.citations:
        if citation.n in cited:
            sources.add_text(citation.passage)
            sources.add_text(citation.vorlagen_nr)
            sources.add_text(citation.betreff)
    return sources


# --- bodies (for `operative` and `deciding-body`) -----------------------------------------------

# Endings of the nouns that name a council body ("Sozialausschuss", "Rat der Stadt", ...).
_BODY_ENDINGS = (
    r"ausschuss|ausschuß|rat|beirat|kommission|versammlung|vertretung|magistrat|vorstand"
    r"|gremium|gremien|senat|konferenz|kreistag|bezirkstag|landtag|bürgermeister|bürgermeisterin"
)
_NOT_BODIES = {
    "referat", "apparat", "vorrat", "heirat", "zierrat", "unrat", "inserat", "format", "automat",
    "diplomat", "sekretariat", "aggregat", "antrag",
}  # fmt: skip
RE_CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\wÄÖÜäöüß-]*")
# Abbreviations printed in Beratungsfolgen instead of the name.
_ABBREVIATIONS = {"GR": "rat", "KT": "kreistag", "SVV": "stadtverordnetenversammlung"}
_ARTICLES = {"der", "die", "das", "den", "dem", "des"}
_GENERIC_BODIES = {"gremien", "gremium"}
_COUNCIL_SYNONYMS = {
    "rat",
    "stadtrat",
    "gemeinderat",
    "marktgemeinderat",
    "marktrat",
    "ratsversammlung",
}
_GENERIC_HEADS = ("ausschuss", "vertretung", "beirat", "kommission", "versammlung", "konferenz")

_DECIDING_VERBS = (
    r"beschließt|beschließen|stimmt|stimmen|beauftragt|beauftragen|ermächtigt|ermächtigen"
    r"|genehmigt|genehmigen|billigt|billigen|wählt|wählen|bestellt|bestellen|erkennt|erkennen"
    r"|bestätigt|bestätigen|entlastet|entlasten|stellt|stellen|lehnt|lehnen|beruft|berufen"
    r"|benennt|benennen|entsendet|entsenden|verabschiedet|verabschieden|bewilligt|bewilligen"
    r"|erteilt|erteilen|setzt|setzen|hebt|heben|überträgt|übertragen|ernennt|ernennen"
    r"|fasst|fassen"
)
_RECOMMENDING_VERBS = r"empfiehlt|empfehlen"
_NOTING_VERBS = r"nimmt|nehmen"
_ALL_VERBS = f"{_DECIDING_VERBS}|{_RECOMMENDING_VERBS}|{_NOTING_VERBS}"
RE_CLAUSE = re.compile(
    rf"(?:^|(?<=[.:;!?]\s)|(?<=\n))[ \t]*(?:\(?\d{{1,2}}[.)]\s+)?"
    rf"(?:Der|Die|Das)\s+(?P<body>[^.;:!?\n]{{1,90}}?)\s+(?P<verb>{_ALL_VERBS})\b"
    rf"(?:\s+(?:dem|der)\s+(?P<target>[^,.;:!?\n]{{1,90}}?)(?=\s*(?:,|\.|;|:|\bzu\b|\bdie\b|\bden\b|\bdas\b|$)))?",
    re.M,
)
RE_INVERTED_CLAUSE = re.compile(
    rf"\b(?P<verb>{_DECIDING_VERBS})\s+(?:der|die|das)\s+(?P<body>[A-ZÄÖÜ][^,.;:!?\n]{{0,60}}?)"
    r"(?=\s+(?:die|den|das|dem|der|einstimmig|folgend|wie|mit|zu|,|\.|:|$))"
)


# Lower-case words a body's name may contain ("Ausschuss für Umwelt und Klima").
_NAME_WORDS = {
    "der", "des", "die", "den", "dem", "für", "und", "von", "im", "in", "am", "zur", "zum",
    "städtische", "städtischen", "zuständige", "zuständigen", "beratende", "beschließende",
}  # fmt: skip


def _is_noun_phrase(name: str) -> bool:
    """Whether ``name`` reads as a body's name, not as a clause ("Rat bittet die Verwaltung")."""
    return all(
        word[:1].isupper() or word in _NAME_WORDS or word.endswith("-")
        for word in re.findall(r"[\wÄÖÜäöüß]+-?", name)
    )


@dataclass(frozen=True)
class _Clause:
    body: str
    verb: str
    span: tuple[int, int]
    target: str | None = None
    target_span: tuple[int, int] | None = None


def _head_words(name: str) -> list[str]:
    """The leading noun group of a body name: "Sozial- und Gesundheitsausschuss des Kreises"
    -> ["Sozial-", "Gesundheitsausschuss"]; "Rat der Stadt Wedel" -> ["Rat"]."""
    words = re.findall(r"[\wÄÖÜäöüß]+-?,?", name)
    head: list[str] = []
    for word in words:
        clean = word.rstrip(",")
        if not head and clean.lower() in _ARTICLES:
            continue
        if not head:
            if clean[:1].isupper():
                head.append(clean)
            continue  # leading adjectives ("städtischen", "zuständige")
        if clean == "und" and head[-1].endswith("-"):
            continue
        if head[-1].endswith("-") and clean[:1].isupper():
            head.append(clean)
            continue
        break
    return head


def body_keys(name: str) -> set[str]:
    """Comparable keys of a body name: its head noun(s), lower case, council synonyms unified.

    "Der Rat" and "Rat der Stadt Wedel" -> {"rat"}; "Kultur- und Sozialausschuss" ->
    {"kulturausschuss", "sozialausschuss"}; "Gemeinderat" -> {"rat"}.
    """
    abbreviation = _ABBREVIATIONS.get(name.strip())
    if abbreviation is not None:
        return {abbreviation}
    head = _head_words(name)
    if not head:
        return set()
    last = head[-1].lower()
    keys = {last}
    ending = re.search(rf"(?:{_BODY_ENDINGS})$", last)
    if ending and len(head) > 1:
        keys |= {part.rstrip("-").lower() + ending.group() for part in head[:-1]}
    return {"rat" if key in _COUNCIL_SYNONYMS else key for key in keys}


def _is_executive(name: str) -> bool:
    """The mayor or Landrat: addressed by resolutions, not a council body that decides them."""
    return any(re.search(r"bürgermeister(?:in)?$|landrat$|landrätin$", k) for k in body_keys(name))


def _is_generic(name: str) -> bool:
    return bool(body_keys(name) & _GENERIC_BODIES)


def _is_body(name: str) -> bool:
    keys = body_keys(name)
    return (
        bool(keys)
        and all(k not in _NOT_BODIES for k in keys)
        and any(re.search(rf"(?:{_BODY_ENDINGS})$", k) for k in keys)
    )


def same_body(a: str, b: str) -> bool:
    """Whether two names mean the same body, matching on the head noun.

    Tolerates "Der Rat" / "Rat der Stadt Wedel", "Gemeinderat" / "Der Gemeinderat",
    "Kreistag" / "Kreistag Landkreis Börde", "Ausschuss" / "Hauptausschuss"; not "Kreistag" /
    "Sozialausschuss".
    """
    keys_a, keys_b = body_keys(a), body_keys(b)
    if keys_a & keys_b:
        return True
    for generic, other in ((keys_a, keys_b), (keys_b, keys_a)):
        if any(g in _GENERIC_HEADS and any(o.endswith(g) for o in other) for g in generic):
            return True
    return False


def _clauses(text: str) -> list[_Clause]:
    """Sentences of a Beschlussvorschlag in which a named body acts ("Der Rat beschließt ...")."""
    found: list[_Clause] = []
    for match in RE_CLAUSE.finditer(text):
        if not _is_noun_phrase(match.group("body")) or not _is_body(match.group("body")):
            continue  # not a body, or not the subject ("Der Bürgermeister wird ermächtigt")
        target = match.group("target")
        target_ok = target is not None and _is_body(target)
        found.append(
            _Clause(
                match.group("body"),
                match.group("verb"),
                match.span("body"),
                target if target_ok else None,
                match.span("target") if target_ok else None,
            )
        )
    covered = [c.span for c in found]
    for match in RE_INVERTED_CLAUSE.finditer(text):
        body = match.group("body")
        if _is_body(body) and not any(s <= match.start("body") < e for s, e in covered):
            found.append(_Clause(body, match.group("verb"), match.span("body")))
    return sorted(found, key=lambda c: c.span)


def _deciding_body(draft: Draft) -> tuple[str | None, int | None]:
    """(name, index in draft.beratungsfolge) of the deciding body; index None = request.gremium."""
    steps = [i for i, s in enumerate(draft.beratungsfolge) if s.rolle == "Entscheidung"]
    if steps:
        return draft.beratungsfolge[steps[-1]].gremium, steps[-1]
    gremium = draft.request.gremium.strip()
    if not gremium:
        return None, None
    matches = [i for i, s in enumerate(draft.beratungsfolge) if same_body(s.gremium, gremium)]
    return gremium, (matches[-1] if matches else None)


# --- rule: required -----------------------------------------------------------------------------


def check_required(draft: Draft) -> Iterator[Finding]:
    """betreff, beschlussvorschlag, sachdarstellung, finanzielle_auswirkungen and one
    Beratungsschritt with rolle Entscheidung are present and non-empty."""
    if not draft.request.betreff.strip():
        yield _finding("required", "Der Betreff fehlt.", field_name="request.betreff")
    for name in ("beschlussvorschlag", "sachdarstellung", "finanzielle_auswirkungen"):
        if not getattr(draft, name).strip():
            title = FIELD_TITLES[name]
            yield _finding(
                "required", f"Der Abschnitt „{title}“ fehlt oder ist leer.", field_name=name
            )
    if not any(step.rolle == "Entscheidung" for step in draft.beratungsfolge):
        yield _finding(
            "required",
            "In der Beratungsfolge ist kein Gremium mit der Rolle „Entscheidung“ angegeben.",
            field_name="beratungsfolge",
        )


# --- rule: operative ----------------------------------------------------------------------------

RE_OPERATIVE = re.compile(
    r"\b(?:beschließt|beschließen|beschlossen|stimmt|stimmen|zuzustimmen|zugestimmt"
    r"|nimmt|nehmen|zur Kenntnis|empfiehlt|empfehlen|beauftragt|beauftragen|ermächtigt|ermächtigen"
    r"|genehmigt|genehmigen|billigt|billigen|gebilligt|wählt|wählen|gewählt|bestellt|bestellen"
    r"|erkennt|erkennen|anerkannt|bestätigt|bestätigen|entlastet|entlasten|stellt|stellen"
    r"|festgestellt|lehnt|lehnen|abgelehnt|beruft|berufen|benennt|benennen|entsendet|entsenden"
    r"|verabschiedet|verabschieden|bewilligt|bewilligen|erteilt|erteilen|setzt|setzen"
    r"|festgesetzt|hebt|aufgehoben|überträgt|ernennt|fasst|fassen)\b"
)
RE_NUMBERED_ITEM = re.compile(r"^[ \t]*\(?\d{1,2}[.)][ \t]+", re.M)
RE_VERBISH = re.compile(
    r"\b(?:wird|werden|wurde|wurden|ist|sind|war|waren|soll|sollen|sollte|hat|haben|kann|können"
    r"|muss|müssen|darf|dürfen|bleibt|bleiben|gilt|gelten|erfolgt|erfolgen)\b"
    r"|\bzu\s+[a-zäöüß]+en\b|\b[a-zäöüß]+zu[a-zäöüß]+en\b"
    r"|\b[a-zäöüß]{3,}t\b"
)
_NOT_VERBS = {
    "nicht", "jetzt", "bereits", "insgesamt", "zuletzt", "erst", "meist", "seit", "samt", "nebst",
    "zunächst", "stets", "längst", "sonst", "selbst", "direkt", "konkret", "gesamt", "bekannt",
    "fast", "mit", "damit", "weit", "breit", "bereit", "zuerst", "mindestens", "höchstens",
}  # fmt: skip


def _has_verb(sentence: str) -> bool:
    if RE_OPERATIVE.search(sentence):
        return True
    return any(m.group().lower() not in _NOT_VERBS for m in RE_VERBISH.finditer(sentence))


def _numbered_items(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the numbered items ("1. ...", "2) ..."), each up to the next item or blank line."""
    starts = [m.start() for m in RE_NUMBERED_ITEM.finditer(text)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        blank = re.search(r"\n[ \t]*\n", text[start:end])
        if blank:
            end = start + blank.start()
        yield start, len(text[:end].rstrip())


def check_operative(draft: Draft) -> Iterator[Finding]:
    """The Beschlussvorschlag names a body and an operative verb; numbered items are sentences."""
    text = draft.beschlussvorschlag
    if not text.strip():
        return
    if not any(_is_body(m.group()) for m in RE_CAPITALISED.finditer(text)):
        yield _finding(
            "operative",
            "Der Beschlussvorschlag nennt kein Gremium, das beschließt "
            "(z. B. „Der Rat beschließt …“).",
            field_name="beschlussvorschlag",
        )
    if not RE_OPERATIVE.search(text):
        yield _finding(
            "operative",
            "Der Beschlussvorschlag enthält kein Beschlussverb wie „beschließt“, „stimmt zu“, "
            "„nimmt zur Kenntnis“, „empfiehlt“ oder „beauftragt“.",
            field_name="beschlussvorschlag",
        )
    for start, end in _numbered_items(text):
        item = text[start:end]
        body = RE_NUMBERED_ITEM.sub("", item, count=1)
        if not _has_verb(body) or not item.rstrip().endswith((".", ":", ";")):
            yield _finding(
                "operative",
                "Dieser Beschlusspunkt ist kein vollständiger Satz (Verb und abschließender Punkt "
                "fehlen).",
                field_name="beschlussvorschlag",
                span=(start, end),
                token=_short(item),
            )
    yield from check_topic(draft)


_TOPIC_STOPWORDS = {
    "aber", "alle", "allen", "aller", "auch", "dass", "diese", "dieser", "dieses", "durch",
    "eine", "einer", "eines", "einem", "einen", "gemäß", "gegen", "haben", "hatte", "hier",
    "immer", "jetzt", "keine", "mehr", "nach", "nicht", "oder", "ohne", "sich", "sind",
    "sowie", "unter", "werden", "wurde", "zwischen", "beschluss", "beschlussvorlage", "vorlage",
    "antrag", "stadt", "gemeinde",
}  # fmt: skip
_TOPIC_PREFIX = 6  # "Sanierung"/"Sanierungen", "Hortplätze"/"Hortplatz": one stem for the check
RE_TOPIC_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{5,}")
# A resolution that refers to the matter by pointing at it ("nimmt die Vorlage zur Kenntnis").
RE_DEIXIS = re.compile(
    r"\b(?:der|die|den|dem|des|diese[mnrs]?)\s+(?:\w+\s+)?(?:Vorlage|Ausführungen|Bericht\w*"
    r"|Zwischenbericht\w*|\w*[Vv]orschlag\w*|Studie|Information\w*|Erläuterungen|Mitteilung"
    r"|Sachstand\w*|Konzept\w*|Maßnahme\w*|Planung\w*)\b|Kenntnisnahme|wie folgt"
)


def _topic_words(text: str | None) -> set[str]:
    return {
        word.lower()[:_TOPIC_PREFIX]
        for word in RE_TOPIC_WORD.findall(text or "")
        if word.lower() not in _TOPIC_STOPWORDS
    }


def check_topic(draft: Draft) -> Iterator[Finding]:
    """Warning (rule ``operative``): the Beschlussvorschlag shares no word with the Betreff and
    does not point at the matter ("die Vorlage", "den Bericht"). Only the Betreff counts: the
    clerk's facts are long enough to share some word with almost any text.

    A small model sometimes resolves on an earlier case from the sources (or on the prompt's
    example); such a resolution passes every other rule. Measured on the 1,022 Karlsruhe
    papers with a Betreff and a Beschlussvorschlag: 2.3 % of the real resolutions would get
    this warning (e.g. "Der Gemeinderat beschließt die Aufstellung der Stele." for
    "Erinnerungsstele zu Denkmal ..."), so it is a hint to check, not an error."""
    text = draft.beschlussvorschlag
    request = draft.request
    if not text.strip() or RE_DEIXIS.search(text):
        return
    if _topic_words(text) & _topic_words(request.betreff):
        return
    yield _finding(
        "operative",
        "Der Beschlussvorschlag greift kein Wort des Betreffs auf; bitte prüfen Sie, ob er "
        "über den richtigen Gegenstand beschließt.",
        severity="warning",
        field_name="beschlussvorschlag",
    )


# --- rule: deciding-body ------------------------------------------------------------------------


def _index_of(draft: Draft, name: str, before: int | None) -> int | None:
    limit = len(draft.beratungsfolge) if before is None else before
    for i, step in enumerate(draft.beratungsfolge[:limit]):
        if same_body(step.gremium, name):
            return i
    return None


def _check_recommendation(
    draft: Draft, clause: _Clause, decider: str, decider_index: int | None
) -> Iterator[Finding]:
    """ "X empfiehlt dem Y": Y must be the deciding body and X must come before it.

    The deciding body itself may recommend something to the executive ("Der Gemeinderat
    empfiehlt dem Oberbürgermeister ..."): that is its own resolution.
    """
    target = clause.target
    if target is not None and not _is_executive(target) and not same_body(target, decider):
        yield _finding(
            "deciding-body",
            f"Die Empfehlung richtet sich an „{target}“, entscheiden soll laut "
            f"Beratungsfolge aber „{decider}“.",
            field_name="beschlussvorschlag",
            span=clause.target_span,
            token=target,
        )
    if same_body(clause.body, decider):
        return
    if draft.beratungsfolge and _index_of(draft, clause.body, decider_index) is None:
        yield _finding(
            "deciding-body",
            f"„{clause.body}“ spricht eine Empfehlung aus, steht aber nicht vor dem "
            f"entscheidenden Gremium „{decider}“ in der Beratungsfolge.",
            field_name="beschlussvorschlag",
            span=clause.span,
            token=clause.body,
        )


def _check_acting_body(draft: Draft, clause: _Clause, decider: str) -> Iterator[Finding]:
    if same_body(clause.body, decider):
        return
    noting = re.fullmatch(_NOTING_VERBS, clause.verb) is not None
    if noting and any(same_body(s.gremium, clause.body) for s in draft.beratungsfolge):
        return  # a consulted body may take note
    yield _finding(
        "deciding-body",
        f"Im Beschlussvorschlag entscheidet „{clause.body}“, laut Beratungsfolge entscheidet "
        f"aber „{decider}“.",
        field_name="beschlussvorschlag",
        span=clause.span,
        token=clause.body,
    )


def check_deciding_body(draft: Draft) -> Iterator[Finding]:
    """The body that decides in the Beschlussvorschlag is the one with rolle Entscheidung (or
    request.gremium); recommending bodies come earlier in the Beratungsfolge."""
    decider, decider_index = _deciding_body(draft)
    if decider is None or not draft.beschlussvorschlag.strip():
        return
    for clause in _clauses(draft.beschlussvorschlag):
        if _is_generic(clause.body):
            continue  # "Die städtischen Gremien erkennen ... an": every body in turn
        if re.fullmatch(_RECOMMENDING_VERBS, clause.verb):
            yield from _check_recommendation(draft, clause, decider, decider_index)
        else:
            yield from _check_acting_body(draft, clause, decider)


# --- rule: chronology ---------------------------------------------------------------------------


def check_chronology(draft: Draft) -> Iterator[Finding]:
    """Beratungsfolge dates are in order; the Entscheidung is the last step, and there is one."""
    steps = draft.beratungsfolge
    previous: tuple[int, Beratungsschritt] | None = None
    for i, step in enumerate(steps):
        if step.datum is None:
            continue
        if (
            previous is not None
            and previous[1].datum is not None
            and step.datum < previous[1].datum
        ):
            yield _finding(
                "chronology",
                f"„{step.gremium}“ tagt am {step.datum:%d.%m.%Y} und damit vor "
                f"„{previous[1].gremium}“ ({previous[1].datum:%d.%m.%Y}), steht aber danach in "
                "der Beratungsfolge.",
                field_name=f"beratungsfolge[{i}].datum",
                token=f"{step.datum:%d.%m.%Y}",
            )
        previous = (i, step)
    decisions = [i for i, s in enumerate(steps) if s.rolle == "Entscheidung"]
    if len(decisions) > 1:
        names = ", ".join(f"„{steps[i].gremium}“" for i in decisions)
        yield _finding(
            "chronology",
            f"Mehr als ein Gremium hat die Rolle „Entscheidung“: {names}.",
            field_name="beratungsfolge",
        )
    if decisions and decisions[0] != len(steps) - 1:
        after = ", ".join(f"„{s.gremium}“" for s in steps[decisions[0] + 1 :])
        yield _finding(
            "chronology",
            f"Nach der Entscheidung durch „{steps[decisions[0]].gremium}“ folgen noch {after}; "
            "die Entscheidung muss der letzte Schritt sein.",
            field_name=f"beratungsfolge[{decisions[0]}].rolle",
        )


# --- rule: grounded -----------------------------------------------------------------------------


def check_grounded(draft: Draft) -> Iterator[Finding]:
    """Every number, amount, date, year, percentage, § and Vorlagen-Nr. in the draft occurs in
    the request or in a passage the draft cites."""
    sources = _sources(draft)
    for name, text in _texts(draft):
        for fact in extract_facts(text):
            if not sources.covers(fact):
                yield _finding(
                    "grounded",
                    f"{fact.label} „{fact.raw}“ steht weder in Ihren Angaben noch in einer "
                    "zitierten Quelle.",
                    field_name=name,
                    span=(fact.start, fact.end),
                    token=fact.raw,
                )


# --- rule: citations ----------------------------------------------------------------------------

MIN_QUOTE_WORDS = 12
RE_WORD = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")


def _words(text: str) -> list[re.Match[str]]:
    return list(RE_WORD.finditer(_mask_all(text, CITATION_MARKER)))


def _grams(words: Sequence[str], size: int = MIN_QUOTE_WORDS) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _copied_runs(text: str, passage: str, own: set[tuple[str, ...]]) -> Iterator[tuple[int, int]]:
    """Character spans of ``text`` that repeat at least MIN_QUOTE_WORDS words of ``passage``
    (ignoring case and punctuation) and are not the clerk's own words (``own``)."""
    words = _words(text)
    lowered = [w.group().lower() for w in words]
    theirs = _grams([w.group().lower() for w in _words(passage)])
    covered = [False] * len(words)
    for i in range(len(words) - MIN_QUOTE_WORDS + 1):
        gram = tuple(lowered[i : i + MIN_QUOTE_WORDS])
        if gram in theirs and gram not in own:
            covered[i : i + MIN_QUOTE_WORDS] = [True] * MIN_QUOTE_WORDS
    i = 0
    while i < len(words):
        if covered[i]:
            j = i
            while j + 1 < len(words) and covered[j + 1]:
                j += 1
            yield words[i].start(), words[j].end()
            i = j + 1
        else:
            i += 1


def _marked(text: str, span: tuple[int, int], n: int) -> bool:
    """Whether a marker citing ``n`` stands in the copied span or after it in its paragraph."""
    end = text.find("\n\n", span[1])
    scope = text[span[0] : len(text) if end < 0 else end]
    return any(n in _marker_numbers(m.group()) for m in CITATION_MARKER.finditer(scope))


def _check_markers(draft: Draft, known: set[int]) -> Iterator[Finding]:
    count = len(draft.citations)
    for name, text in _texts(draft):
        for match in CITATION_MARKER.finditer(text):
            for n in _marker_numbers(match.group()):
                if n not in known:
                    yield _finding(
                        "citations",
                        f"Der Verweis „[{n}]“ bezieht sich auf keine der {count} gefundenen "
                        "Quellen.",
                        field_name=name,
                        span=match.span(),
                        token=match.group(),
                    )


def _check_resolution_markers(draft: Draft) -> Iterator[Finding]:
    """No [n] in the Beschlussvorschlag: it is printed as the resolution itself."""
    for match in CITATION_MARKER.finditer(draft.beschlussvorschlag or ""):
        yield _finding(
            "citations",
            f"Der Quellenverweis „{match.group()}“ gehört nicht in den Beschlussvorschlag, der "
            "wörtlich als Beschluss übernommen wird; belegen Sie die Quelle in der "
            "Sachdarstellung.",
            field_name="beschlussvorschlag",
            span=match.span(),
            token=match.group(),
        )


def _quote_marked(draft: Draft, name: str, text: str, span: tuple[int, int], n: int) -> bool:
    """A quoted span is marked by [n] after it in its paragraph; a quote in the
    Beschlussvorschlag (which carries no markers) by [n] in the Sachdarstellung."""
    if name == "beschlussvorschlag":
        return any(
            n in _marker_numbers(m.group())
            for m in CITATION_MARKER.finditer(draft.sachdarstellung or "")
        )
    return _marked(text, span, n)


def unmarked_quotes(draft: Draft) -> Iterator[tuple[str, tuple[int, int], int]]:
    """(field, span, n) for each run of at least MIN_QUOTE_WORDS words copied from the passage
    of citation ``n`` without its marker (the clerk's own words do not count)."""
    request = draft.request
    own_text = " ".join(
        t or "" for t in (request.betreff, request.fakten, request.finanzielle_auswirkungen)
    )
    own = _grams([w.group().lower() for w in _words(own_text)])
    for name, text in _texts(draft):
        for citation in draft.citations:
            for span in _copied_runs(text, citation.passage, own):
                if not _quote_marked(draft, name, text, span, citation.n):
                    yield name, span, citation.n


def _check_quotes(draft: Draft) -> Iterator[Finding]:
    for name, span, n in unmarked_quotes(draft):
        text = getattr(draft, name)
        yield _finding(
            "citations",
            f"Diese Passage ist wörtlich aus Quelle [{n}] übernommen, aber nicht mit „[{n}]“ "
            "gekennzeichnet.",
            field_name=name,
            span=span,
            token=_short(text[span[0] : span[1]]),
        )


def check_citations(draft: Draft) -> Iterator[Finding]:
    """Every [n] refers to a retrieved case; verbatim passages from a case carry its [n]
    (in the Sachdarstellung; the Beschlussvorschlag carries no [n], a quote there is marked by
    [n] in the Sachdarstellung)."""
    numbers = [c.n for c in draft.citations]
    for n in sorted({n for n in numbers if numbers.count(n) > 1}):
        yield _finding(
            "citations", f"Die Quellennummer [{n}] ist mehrfach vergeben.", field_name="citations"
        )
    yield from _check_markers(draft, set(numbers))
    yield from _check_resolution_markers(draft)
    yield from _check_quotes(draft)


# --- rule: placeholders -------------------------------------------------------------------------

_PLACEHOLDERS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\b[Xx]{2,}\b|\bXY\b|\bX\s*(?:€|Euro\b|EUR\b)",
        r"\[\s*(?:\.{2,}|…)\s*\]|\(\s*(?:\.{3}|…)\s*\)",
        r"\b(?:TODO|FIXME|TBD)\b",
        r"\{\{|\}\}|\{%|%\}",
        r"<[^<>\n]{1,40}>",
        r"\bN\.\s?N\.(?!\w)",
        r"\?{2,}",
        # any other bracketed text; not citation markers, not form check boxes ("[ja]", "[x]")
        r"\[(?!\s*\d+(?:\s*(?:[,;]|-|–|bis)\s*\d+)*\s*\])(?!(?:ja|nein|[xX])\])[^\[\]\n]{1,60}\]",
        r"_{3,}",
        r"\b(?:Musterstadt|Mustergemeinde|Musterkreis|Mustermann|Musterfrau)\b",
        r"\b(?:TT\.MM\.JJJJ|TT\.MM\.JJ|JJJJ|00\.00\.0000)\b",
        r"\b(?:Lorem ipsum|Platzhalter)\b",
    )
)


def check_placeholders(draft: Draft) -> Iterator[Finding]:
    """No "XX", "[...]", "TODO", "{{", "<Name>", "N.N.", "???", "[Datum]" and the like."""
    for name, text in _texts(draft):
        matches = sorted(
            (m for pattern in _PLACEHOLDERS for m in pattern.finditer(text)),
            key=lambda m: m.start(),
        )
        last_end = -1
        for match in matches:
            if match.start() < last_end:
                continue
            last_end = match.end()
            yield _finding(
                "placeholders",
                f"Der Text enthält noch den Platzhalter „{match.group()}“. Bitte durch die "
                "richtige Angabe ersetzen.",
                field_name=name,
                span=match.span(),
                token=match.group(),
            )


# --- rule: style --------------------------------------------------------------------------------

RE_QUOTED = re.compile(
    r"„[^“”\"\n]{0,300}[“”\"]|\"[^\"\n]{0,300}\"|»[^«\n]{0,300}«|«[^»\n]{0,300}»|“[^”\n]{0,300}”"
)
RE_FIRST_PERSON = re.compile(
    r"(?<![\w])(?:[Ii]ch|[Ww]ir|[Uu]ns|[Mm]ir|[Mm]ich|[Mm]ein|[Mm]eine[mrs]?)(?![\w])"
)
# "unsere Stadt", "unserer Kommunalverwaltung" occur in real Vorlagen (seed 002): a warning.
RE_OUR = re.compile(r"(?<![\w])[Uu]nser(?:e[mnrs]?)?(?![\w])")
_CHATTY: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"(?:^|(?<=[.!?]\s))(?:Sehr\s+)?[Gg]erne?\s*[!,.]",
        r"\bHier (?:ist|sind) (?:der|die|das|ein|eine|Ihr|Ihre)\b",
        r"\bHier finden Sie\b",
        r"\bIch hoffe\b|\b[Ii]ch helfe\b|\bLassen Sie mich\b|\bViel Erfolg\b",
        r"\bAls (?:KI|künstliche Intelligenz|Sprachmodell|KI-Modell|AI)\b|\bSprachmodell\b",
        r"\b(?:Haben Sie (?:noch )?(?:weitere )?Fragen|Zögern Sie nicht|Melden Sie sich gern)",
        r"(?:^|(?<=[.!?]\s))(?:Natürlich|Selbstverständlich|Klar|Super|Toll)!",
        r"\b(?:Sure|Certainly|Here is|Here's|I hope)\b",
    )
)
RE_MARKDOWN = re.compile(r"```|^[ \t]*#{1,6}[ \t]|\*\*", re.M)
# (min, max) characters per field; outside is a warning.
LENGTH_BOUNDS: dict[str, tuple[int, int]] = {
    "beschlussvorschlag": (25, 2500),
    "sachdarstellung": (150, 12000),
    "begruendung": (50, 8000),
    "finanzielle_auswirkungen": (4, 4000),
}


def _outside_quotes(text: str, start: int) -> bool:
    return not any(m.start() < start < m.end() for m in RE_QUOTED.finditer(text))


def _style_first_person(name: str, text: str) -> Iterator[Finding]:
    for pattern, severity in ((RE_FIRST_PERSON, "error"), (RE_OUR, "warning")):
        for match in pattern.finditer(text):
            if _outside_quotes(text, match.start()):
                yield _finding(
                    "style",
                    f"Eine Vorlage spricht nicht in der ersten Person („{match.group()}“). "
                    "Bitte sachlich formulieren, z. B. „Die Verwaltung …“.",
                    severity=cast(Severity, severity),
                    field_name=name,
                    span=match.span(),
                    token=match.group(),
                )


def _style_chatty(name: str, text: str) -> Iterator[Finding]:
    for pattern in _CHATTY:
        for match in pattern.finditer(text):
            yield _finding(
                "style",
                f"Die Wendung „{match.group().strip()}“ gehört nicht in eine Vorlage.",
                field_name=name,
                span=match.span(),
                token=match.group().strip(),
            )


def _style_format(name: str, text: str) -> Iterator[Finding]:
    match = RE_MARKDOWN.search(text)
    if match:
        yield _finding(
            "style",
            "Der Text enthält Formatierungszeichen (z. B. „**“, „#“ oder „```“), die in der "
            "Vorlage nicht erscheinen sollen.",
            severity="warning",
            field_name=name,
            span=match.span(),
            token=match.group().strip(),
        )
    bounds = LENGTH_BOUNDS.get(name)
    length = len(text.strip())
    if bounds and length < bounds[0]:
        yield _finding(
            "style",
            f"Der Abschnitt „{FIELD_TITLES[name]}“ ist mit {length} Zeichen sehr kurz.",
            severity="warning",
            field_name=name,
        )
    elif bounds and length > bounds[1]:
        yield _finding(
            "style",
            f"Der Abschnitt „{FIELD_TITLES[name]}“ ist mit {length} Zeichen sehr lang "
            f"(empfohlen höchstens {bounds[1]}).",
            severity="warning",
            field_name=name,
        )


def check_style(draft: Draft) -> Iterator[Finding]:
    """No first person, no chatty phrases, no Markdown, length within bounds."""
    for name, text in _texts(draft):
        yield from _style_first_person(name, text)
        yield from _style_chatty(name, text)
        yield from _style_format(name, text)


# --- registry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A validation rule: stable id, one-line German summary, the check."""

    id: str
    summary: str
    check: Callable[[Draft], Iterable[Finding]]


RULES: tuple[Rule, ...] = (
    Rule("required", "Pflichtangaben vorhanden", check_required),
    Rule("operative", "Beschlussvorschlag ist ein Beschluss", check_operative),
    Rule("deciding-body", "Richtiges Gremium entscheidet", check_deciding_body),
    Rule("chronology", "Beratungsfolge in zeitlicher Ordnung", check_chronology),
    Rule("grounded", "Zahlen, Daten und Nummern belegt", check_grounded),
    Rule("citations", "Quellenverweise stimmen", check_citations),
    Rule("placeholders", "Keine Platzhalter", check_placeholders),
    Rule("style", "Verwaltungsstil", check_style),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)


def validate(draft: Draft, rules: Iterable[str] | None = None) -> ValidationReport:
    """Check ``draft`` against every rule (or only those in ``rules``); no side effects.

    Raises ValueError for an unknown rule id.
    """
    selected = RULES
    if rules is not None:
        wanted = set(rules)
        unknown = wanted - set(RULE_IDS)
        if unknown:
            raise ValueError(f"unknown rule ids: {', '.join(sorted(unknown))}")
        selected = tuple(rule for rule in RULES if rule.id in wanted)
    return ValidationReport.from_findings(f for rule in selected for f in rule.check(draft))
