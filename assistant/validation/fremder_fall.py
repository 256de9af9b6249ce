"""Rule ``fremder-fall``: another case's numbers, dates and names stated as this case's.

The retrieved sources are other Vorlagen, given to the model for their wording. A small model
retells them instead: a Sachdarstellung about a resolution on municipal voting rights opened
with someone's appointment and the cost of a playground, both from a cited paper, as if they
were this case's. ``grounded`` let that pass: it accepts a number when any cited source has it,
wherever the draft says it. This rule checks sentence by sentence.

In each section the model writes (Beschlussvorschlag, Sachdarstellung, Begründung), a token is
reported when the request (betreff, kommune, gremium, fakten, finanzielle_auswirkungen,
Beratungsfolge) does not have it, the passage, Vorlagen-Nr. or Betreff of one or more of the
draft's citations does, and its sentence carries no marker ``[n]`` of such a citation (marked,
it is a comparison with that source, which is allowed). Tokens are

* the facts of :func:`~assistant.validation.facts.extract_facts` (amounts, dates, numbers,
  percentages, Vorlagen-Nr., compared in normalised form), except those common to most
  papers (:func:`_generic`): § references and the versions of laws and statutes ("in der
  Fassung vom 24.07.2000 (GBl. S. 581)"), time spans ("2024/2025"), dates without a year or
  on 1 January or 31 December, bare numbers up to :data:`SMALL_NUMBER`, bare years and powers
  of ten ("von 100 Punkten"), amounts up to 31 € and whole percentages up to 10 % or in steps
  of 5 % ("100 %");
* names: a quoted name of two words or more („…“ or "…", 2 to 80 characters; not „gesetzt“),
  a person ("Frau …", "Herr …", "Dr. …", titles and roles skipped; one of the one or two name
  words found is enough) and a street or place (a word ending in -straße, -str., -weg,
  -platz, -allee, -ring, -gasse; not common nouns such as "Spielplatz",
  :data:`COMMON_PLACE_WORDS`).

Only prose is checked (:func:`prose`): table rows and headings restate a table, not a story. A
fact found in no citation is left to ``grounded``; one found only in a citation the draft never
cites is reported by both (this rule names the source). A token inside a reported name is not
reported again.

Measured on the 1,015 usable Karlsruhe papers, each a draft of its own request with the
summary chunks of three other papers as unmarked sources
(``bench/fremder_fall_false_positives.py``): 2.7 % are flagged when the sources are papers a
quarter of the corpus apart, 12.9 % when they are the three with the most similar Betreff
(mostly facts of the same plan or project, which a draft would have to mark, and names of
council members). Without the exceptions above and the prose filter it was 25 % on the similar
papers (law versions, "100 %", tables of bids, lists of council members).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from assistant.schema import Citation, Draft, Finding
from assistant.validation.facts import Fact, Sources, extract_facts, sources_of
from assistant.validation.findings import finding, generated_texts, mask_all
from assistant.validation.markers import CITATION_MARKER, marker_numbers
from assistant.validation.sentences import RE_READER_WORD, sentence_spans

SMALL_NUMBER = Decimal(31)
YEARS = (Decimal(1900), Decimal(2100))
POWERS_OF_TEN = frozenset(Decimal(10**k) for k in range(1, 7))
YEAR_BOUNDARIES = ((1, 1), (12, 31))  # (month, day)

# Not a case's facts: where and in which version a law or statute was published ("in der
# Fassung vom 24.07.2000 (GBl. S. 581)", "Satzung … vom 9. Dezember 1980"), "Bündnis 90".
_GAZETTE = r"\(\s*(?:BGBl|GBl|GVBl|GVOBl)\b"
RE_NOT_CASE_FACTS = re.compile(rf"{_GAZETTE}[^()]*\)|(?:Bündnis|B['‘’´]?)\s?90(?!\d)")
RE_VERSION_BEFORE = re.compile(
    r"(?:Fassung|Neufassung|Bekanntmachung|[Ss]atzung|geändert(?:\s+durch\s+\S+)?|Gesetz(?:es)?"
    r"|Verordnung|[“”\")])\s+(?:vom|am)\s+$"
)
RE_GAZETTE_AFTER = re.compile(rf"\s*{_GAZETTE}")
RE_LOWER_WORD = re.compile(r"(?<![\wäöüß])[a-zäöüß]{3,}")
# A quoted name: two words or more, the first capitalised or a number (not „gesetzt“).
RE_NAME_LIKE = re.compile(r"[A-ZÄÖÜ0-9]\S*\s+\S")
RE_QUOTED = re.compile(r"„([^„“”\"\n]{2,80})[“”\"]|\"([^\"“”„\n]{2,80})\"")
_TITLE = r"(?:Frau|Herrn?|(?:Dr|Prof|Dipl)\.(?:-[A-Z][a-z]*\.)?)"
_ROLE = (
    r"[A-ZÄÖÜ][a-zäöüß]*(?:rat|rätin|meister|meisterin|vorsteher|vorsteherin)|Erste[rn]?"
    r"|Beigeordnete[rn]?|Minister(?:in)?|Präsident(?:in)?|Direktor(?:in)?|Vorsitzende[rn]?"
    r"|Abgeordnete[rn]?|Kolleg(?:e|in)|Professor(?:in)?"
)
_NAME_WORD = r"[A-ZÄÖÜ][a-zäöüßà-ÿ]+(?:-[A-ZÄÖÜ][a-zäöüßà-ÿ]+)?(?![\wäöüß])"
RE_PERSON = re.compile(
    rf"\b{_TITLE}(?:\s+(?:{_TITLE}|(?:{_ROLE})(?![\wäöüß])))*"
    rf"\s+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)"
)
_PLACE_END = r"(?:straße|strasse|str\.|weg|platz|allee|ring|gasse)"
_PLACE_WORD = r"(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Ring|Gasse)"
RE_PLACE = re.compile(
    rf"(?<![\w-])(?:[A-ZÄÖÜ][\wäöüß]*-)*(?:(?<=-){_PLACE_WORD}|[A-ZÄÖÜ][\wäöüß]{{2,}}?{_PLACE_END})"
    r"(?![\wäöüß])"
)
COMMON_PLACE_WORDS = frozenset({
    "spielplatz", "parkplatz", "arbeitsplatz", "stellplatz", "sportplatz", "bolzplatz",
    "radweg", "gehweg", "fußweg", "rechtsweg", "dienstweg", "bundesstraße", "landesstraße",
    "kreisstraße", "fahrradstraße", "hauptstraße", "einbahnstraße",
})  # fmt: skip


@dataclass(frozen=True)
class Token:
    """A checkable token of a text: German label, quoted text, span, how to compare it.

    A fact compares by its normalised keys; a name by ``keys`` (lower case): a text holds it
    when it holds one of them as a whole word or, for a quoted name (``whole_word`` false),
    anywhere.
    """

    label: str
    raw: str
    start: int
    end: int
    fact: Fact | None = None
    keys: tuple[str, ...] = ()
    whole_word: bool = True


@dataclass(frozen=True)
class Provider:
    """What one text provides: its facts, and its text in lower case for names."""

    sources: Sources
    text: str

    def has(self, token: Token) -> bool:
        if token.fact is not None:
            return self.sources.covers(token.fact)
        if not token.whole_word:
            return any(key in self.text for key in token.keys)
        return any(
            re.search(rf"(?<![\wäöüß]){re.escape(key)}(?![\wäöüß])", self.text) is not None
            for key in token.keys
        )


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _generic_number(label: str, value: Decimal) -> bool:
    whole = value == value.to_integral_value()
    if label == "Die Zahl":
        return (
            value <= SMALL_NUMBER
            or value in POWERS_OF_TEN
            or (whole and YEARS[0] <= value <= YEARS[1])
        )
    if label == "Der Betrag":
        return value <= SMALL_NUMBER
    if label == "Die Prozentangabe":
        return whole and (value <= 10 or value % 5 == 0)
    return False


def _generic(fact: Fact) -> bool:
    """Facts too common to point to another case (see the module docstring)."""
    if fact.label in ("Die Vorschrift", "Der Zeitraum") or not fact.needs:
        return True
    kind, *values = fact.needs[0]
    if kind == "daymonth":
        return True
    if kind == "date":
        return tuple(values[1:]) in YEAR_BOUNDARIES
    value = values[0]
    return kind == "num" and isinstance(value, Decimal) and _generic_number(fact.label, value)


def _quoted_names(text: str) -> Iterator[Token]:
    for match in RE_QUOTED.finditer(text):
        group = 1 if match.group(1) is not None else 2
        inner = match.group(group).strip()
        if RE_NAME_LIKE.match(inner):
            start = text.index(inner, match.start(group))
            keys = (_normal(inner),)
            yield Token(
                "Die Bezeichnung", inner, start, start + len(inner), keys=keys, whole_word=False
            )


def _persons(text: str) -> Iterator[Token]:
    for match in RE_PERSON.finditer(text):
        keys = tuple(_normal(word) for word in match.group("name").split())
        yield Token("Der Name", match.group(), *match.span(), keys=keys)


def _places(text: str) -> Iterator[Token]:
    for match in RE_PLACE.finditer(text):
        key = _normal(match.group())
        if key not in COMMON_PLACE_WORDS:
            yield Token("Der Ort", match.group(), *match.span(), keys=(key,))


def _law_version(text: str, fact: Fact) -> bool:
    """Whether ``fact`` dates a law or statute ("in der Fassung vom …", "… vom … (GBl.")."""
    return bool(
        RE_VERSION_BEFORE.search(text, max(0, fact.start - 80), fact.start)
        or RE_GAZETTE_AFTER.match(text, fact.end)
    )


def tokens(text: str) -> list[Token]:
    """The facts (without the generic ones and those of law references) and names of
    ``text``, in document order."""
    facts = extract_facts(mask_all(text, RE_NOT_CASE_FACTS))
    found = [
        Token(fact.label, fact.raw, fact.start, fact.end, fact=fact)
        for fact in facts
        if not (_generic(fact) or _law_version(text, fact))
    ]
    for names in (_quoted_names, _persons, _places):
        found.extend(names(text))
    return sorted(found, key=lambda t: (t.start, -t.end))


def _text(parts: list[str | None]) -> str:
    return _normal(" ".join(part or "" for part in parts))


def _citation_provider(citation: Citation) -> Provider:
    parts = [citation.passage, citation.vorlagen_nr, citation.betreff]
    sources = Sources()
    for part in parts:
        sources.add_text(part)
    return Provider(sources, _text(parts))


def _request_provider(draft: Draft) -> Provider:
    """The request's facts (as ``grounded`` reads them) and texts."""
    request = draft.request
    parts = [request.betreff, request.kommune, request.gremium, request.fakten]
    parts += [request.finanzielle_auswirkungen, *(s.gremium for s in request.beratungsfolge)]
    return Provider(sources_of(draft.model_copy(update={"citations": []})), _text(parts))


def _markers(text: str, start: int, end: int) -> set[int]:
    """The citation numbers marked in ``text[start:end]``."""
    return {
        n for m in CITATION_MARKER.finditer(text, start, end) for n in marker_numbers(m.group())
    }


def _message(token: Token, numbers: list[int]) -> str:
    cited = ", ".join(f"[{n}]" for n in numbers)
    where = f"Quelle {cited}" if len(numbers) == 1 else f"den Quellen {cited}"
    return (
        f"{token.label} „{token.raw}“ stammt aus {where} (einem anderen Fall) und wird hier als "
        f"Angabe dieses Falls genannt; bitte streichen oder mit [{numbers[0]}] als Vergleich "
        "kennzeichnen."
    )


@dataclass(frozen=True)
class _Case:
    """The request and the citations of the draft under check."""

    request: Provider
    citations: dict[int, Provider]

    def foreign(self, token: Token, marked: set[int]) -> list[int]:
        """The citations that hold ``token`` when the request does not and none of them is
        marked in the sentence; else []."""
        if self.request.has(token):
            return []
        numbers = [n for n, provider in self.citations.items() if provider.has(token)]
        return [] if marked.intersection(numbers) else numbers


def prose(sentence: str) -> bool:
    """Whether ``sentence`` tells something: it has a lower-case word or ends with ".", "!"
    or "?", and has fewer numbers than other words (not a table row or a heading). Citation
    markers do not count."""
    sentence = mask_all(sentence, CITATION_MARKER)
    words = RE_READER_WORD.findall(sentence)
    numbers = sum(word[0].isdigit() for word in words)
    told = bool(RE_LOWER_WORD.search(sentence)) or sentence.rstrip().endswith((".", "!", "?"))
    return told and numbers * 2 < len(words)


def _section(case: _Case, name: str, text: str) -> Iterator[Finding]:
    found = tokens(text)
    for start, end in sentence_spans(text):
        if not prose(text[start:end]):
            continue
        marked = _markers(text, start, end)
        reported_end = -1
        for token in (t for t in found if start <= t.start < end):
            numbers = [] if token.start < reported_end else case.foreign(token, marked)
            if numbers:
                reported_end = token.end  # a token inside a reported name is not repeated
                yield finding(
                    "fremder-fall",
                    _message(token, numbers),
                    field_name=name,
                    span=(token.start, token.end),
                    token=token.raw,
                )


def check_fremder_fall(draft: Draft) -> Iterator[Finding]:
    """Errors for tokens of a cited source, not of the request, in a sentence that does not
    cite that source."""
    if not draft.citations:
        return
    citations = {c.n: _citation_provider(c) for c in draft.citations}
    case = _Case(_request_provider(draft), citations)
    for name, text in generated_texts(draft):
        yield from _section(case, name, text)
