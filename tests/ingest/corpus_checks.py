"""Quality checks for parsed Karlsruhe Vorlagen (for `bench/eval_parsing.py` and the slow test).

Definitions (strict on purpose; the product owner applies them to unseen papers too):

**found** -- the field is set and holds at least ``MIN_CHARS`` characters of text.

**Beschlussvorschlag correctly bounded** -- found, and

1. it *starts* where a resolution section of the document starts: its first words are the first
   words printed after a resolution heading line ("Beschlussantrag", "Beschlussantrag
   (Kurzfassung)", "Antrag an den Gemeinderat", "Beschluss:", "Kurzfassung", ...; page furniture
   between heading and text is skipped), and
2. it contains none of the finance-form or form-noise markers in ``RESOLUTION_NOISE`` (the
   "Finanzielle Auswirkungen" form, checkbox glyphs, "CO2-Relevanz", "IQ-relevant",
   "Abstimmung mit städtischen Gesellschaften", "Anhörung Ortschaftsrat", signature and page
   furniture such as "Gedruckt auf 100 Prozent Recyclingpapier", "– 2 –", "Seite 2 von 5"),
   nor a line that is another section's heading (``HEADING_LINES``).

**Sachdarstellung correctly bounded** -- found, and

1. it starts where a facts section starts: the first words after an "Ergänzende Erläuterungen",
   "Erläuterungen", "Begründung", "Sachverhalt", ... heading line (furniture skipped), or --
   Karlsruhe since 2019 prints the text without a heading -- the first line of running text
   after the answers of the form's last field ("Abstimmung mit städtischen Gesellschaften" /
   "Nein ☒" / "Ja ☐" / "abgestimmt mit ..."; lines of fewer than three words and 25
   characters count as form leftovers), and
2. it contains no line that is another section's heading (``HEADING_LINES``: "Beschluss:",
   "Antrag an den Gemeinderat", "Beschlussantrag", "Finanzielle Auswirkungen", "Anlagen",
   "Beratungsfolge", "Kurzfassung", "Begründung" (a field of its own), ...; its own sub-headings
   such as "Vorbemerkung" / "Ergänzende Erläuterungen" are allowed), no page furniture
   (``FURNITURE``: "– 2 –", "Seite 2 von 5", the running header "Ergänzende Erläuterungen
   Seite 3", also split as "Ergänzende Erläuterungen" / "3", the recycling-paper footer) and no
   line of the finance form (``FORM_LINES``).

**Beratungsfolge with dates** -- at least one step, and every step carries a date.

Each check returns the reasons for failure (an empty list means the check passed), so the
benchmark can print them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.schema import Vorlage

MIN_CHARS = 15

THRESHOLDS: dict[str, float] = {
    "beschlussvorschlag": 0.98,
    "sachdarstellung": 0.98,
    "beratungsfolge": 0.95,
}

# Page furniture: page numbers, running headers, footers.
FURNITURE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^[-–—] ?\d{1,3} ?[-–—]$",
        r"^Seite \d{1,3}(?: (?:von|/) \d{1,3})?$",
        r"^Ergänzende Erläuterungen,? Seite \d",
        r"^Erläuterungen,? Seite \d",
        r"Gedruckt auf 100 ?Prozent",
        r"^Recyclingpapier$",
    )
)

# Lines that head another section; neither field may contain one.
HEADING_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Beschluss\s*:?$",
        r"^Beschlussantrag(?: \(Kurzfassung\))?\s*:?$",
        r"^Beschlussvorschlag\s*:?$",
        r"^Antrag an (?:den|die|das) [\wÄÖÜäöüß\- /]{2,60}:?$",
        r"^Finanzielle Auswirkungen(?: \(bitte ankreuzen\))?[\s:]*(?:(?:nein|ja|x|[☐☒])[\s:]*)*$",
        r"^Anlagen?\s*:?$",
        r"^Anlage/n\s*:?$",
        r"^Beratungsfolge\b",
        r"^Gremi(?:um|en) ?Termin\b",
        r"^Kurzfassung\s*:?$",
        r"^Begründung\s*:?$",
        r"^Vorlage Nr\.?:",
        r"^BESCHLUSSVORLAGE$",
    )
)
# Headings of the statement of facts itself: inside the resolution they mean it swallowed the
# facts; inside the facts they are its sub-headings ("Vorbemerkung" ... "Ergänzende
# Erläuterungen"), unless repeated as a page header (``_PAGE_HEADER_SPLIT``).
FACTS_HEADING_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:Ergänzende )?Erläuterungen\s*:?$",
        r"^Sachverhalt\s*:?$",
        r"^Sachdarstellung\s*:?$",
    )
)
# A page header split over two lines: "Ergänzende Erläuterungen" / "3".
_PAGE_HEADER_SPLIT = re.compile(r"^(?:Ergänzende )?Erläuterungen\n+\d{1,2}$", re.MULTILINE)

# Lines of the Karlsruhe finance / classification form.
FORM_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Gesamtkosten(?: der(?: Maßnahme)?)?:?$",
        r"^Gesamtaufwand der",
        r"^Jährliche laufende Belastung",
        r"^Jährliche/r Budgetbedarf",
        r"^Einzahlungen ?[/|] ?Erträge",
        r"^Finanzierung durch:?$",
        r"^Gegenfinanzierung durch$",
        r"^Haushaltsmittel (?:stehen (?:nicht|in voller Höhe|\(bitte)|sind dauerhaft im Budget)",
        r"^Korridorthema:",
        r"^[☐☒] ",
        r"^(?:Ja|Nein) [☐☒]",
        r"^(?:CO2?)?-Relevanz: Auswirkung auf den Klimaschutz",
        r"^IQ-relevant",
        r"^Abstimmung mit städtischen Gesellschaften",
        r"^Anhörung Ortschaftsrat",
        r"^Karlsruhe Masterplan 2015",
        r"^ISEK[- ]Karlsruhe[- ]2020",
        r"^Bei Ja: Begründung",
        r"^Kontierungsobjekt",
    )
)

# Anywhere in a resolution these mean that the form or furniture leaked in. Words such as
# "Gesamtkosten", "Haushaltsmittel" or "Gegenfinanzierung" also occur in genuine resolutions
# ("erklärt sich mit den Gesamtkosten von 21.590.000 € einverstanden"), so they count only as
# whole form lines (``FORM_LINES``).
RESOLUTION_NOISE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.MULTILINE)
    for p in (
        r"^Finanzielle Auswirkungen",
        r"[☐☒]",
        r"CO2-Relevanz|-Relevanz: Auswirkung auf den Klimaschutz",
        r"IQ-relevant",
        r"Abstimmung mit städtischen Gesellschaften",
        r"Anhörung Ortschaftsrat",
        r"Masterplan 2015 - relevant|ISEK[- ]Karlsruhe[- ]2020[- ]-? ?relevant",
        r"Gedruckt auf 100 ?Prozent",
        r"^Hauptamt(?: ?[-–] ?(?:Sitzungsdienste?|Ratsangelegenheiten)(?: ?[-–.])?)?$",
        r"Ergänzende Erläuterungen Seite",
        r"^Kontierungsobjekt:|Finanzposition:$",
    )
)

RESOLUTION_HEADS = re.compile(
    r"^(?:Beschlussantrag(?: \(Kurzfassung\))?|Beschlussvorschlag|Beschluss|Kurzfassung|"
    r"Information \(Kurzfassung\)|Antrag an (?:den|die|das)? ?[^\n]{2,60}?|"
    r"[IVX]+\. Antrag an [^\n]{2,60}?|Antrag|Beschlussentwurf|Beschlussempfehlung)\s*:?(?:\s|$)",
    re.IGNORECASE,
)
FACTS_HEADS = re.compile(
    r"^(?:Ergänzende ?(?:Erläuterungen|Ausführungen)|Erläuterungen(?: zum Sachverhalt)?|"
    r"Begründung|Sachverhalt|Sachstand|Sachdarstellung(?:\s*/\s*Begründung)?|"
    r"Darstellung des Sachverhalte?s|Vorbemerkung(?:en)?|Ausführliche Erläuterung(?:en)?)"
    # the running header that opens the text on page 2: "Ergänzende ErläuterungenSeite2"
    r"(?:,? ?Seite ?\d{1,3}(?: von \d{1,3})?)?\s*:?(?:\s|$)",
    re.IGNORECASE,
)
FORM_END = re.compile(r"^(?:Abstimmung mit städtischen Gesellschaften|Fassung: .*Intranet)")
_ANSWER = re.compile(
    r"^(?:(?:nein|ja|x|[☐☒]|abgestimmt mit|durchgeführt am)(?![\w-])[\s:]*)+", re.IGNORECASE
)
_VERSION_STAMP = re.compile(
    r"^(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)"
    r" \d{4}$"
)
_START_CHARS = 40
_LOOKAHEAD_LINES = 6


@dataclass
class PaperResult:
    """The check outcome for one paper."""

    path: str
    resolution_found: bool = False
    resolution_bounded: bool = False
    facts_found: bool = False
    facts_bounded: bool = False
    beratungsfolge_dated: bool = False
    reasons: list[str] = field(default_factory=list)


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n")]


def _is_furniture(line: str) -> bool:
    return any(p.search(line) for p in FURNITURE)


def found(text: str | None) -> bool:
    """The field holds text (at least ``MIN_CHARS`` characters)."""
    return text is not None and len(text.strip()) >= MIN_CHARS


def starts_at_heading(document: str, section: str, heads: re.Pattern[str]) -> bool:
    """True when ``section`` begins with the first words printed after a ``heads`` line."""
    want = _alnum(section)[:_START_CHARS]
    if not want:
        return False
    lines = _lines(document)
    for i, line in enumerate(lines):
        m = heads.match(line)
        if m is None:
            continue
        below = [a for a in lines[i + 1 : i + 1 + 3 * _LOOKAHEAD_LINES] if not _is_furniture(a)]
        below = [a for a in below if a][:_LOOKAHEAD_LINES]
        if below and _VERSION_STAMP.match(below[0]):  # "Januar 2011" under the page header
            below = below[1:]
        inline = line[m.end() :].strip(" :\t")
        for candidate in ([inline, *below], below):  # text on the heading line, or below it
            if _alnum(" ".join(candidate)).startswith(want):
                return True
    return False


def starts_after_form(document: str, section: str) -> bool:
    """True when ``section`` begins with the first running text after the form's last field."""
    want = _alnum(section)[:_START_CHARS]
    lines = _lines(document)
    for i, line in enumerate(lines):
        if not FORM_END.match(line):
            continue
        j = i + 1
        while j < len(lines) and _form_leftover(lines[j]):
            j += 1
        below = [a for a in lines[j : j + 3 * _LOOKAHEAD_LINES] if a][:_LOOKAHEAD_LINES]
        if want and _alnum(" ".join(below)).startswith(want):
            return True
    return False


def _form_leftover(line: str) -> bool:
    short = len(line) < 25 and len(line.split()) < 3
    return not line or short or bool(_ANSWER.match(line)) or _is_furniture(line)


def _bad_lines(text: str, patterns: Sequence[re.Pattern[str]], what: str) -> list[str]:
    out = []
    for line in _lines(text):
        if line and any(p.search(line) for p in patterns):
            out.append(f"{what}: {line[:70]!r}")
    return out


def check_resolution(v: Vorlage) -> list[str]:
    """Reasons why the Beschlussvorschlag is missing or not correctly bounded."""
    text = v.beschlussvorschlag
    if not found(text):
        return ["Beschlussvorschlag fehlt"]
    assert text is not None
    reasons: list[str] = []
    if not starts_at_heading(v.text, text, RESOLUTION_HEADS):
        reasons.append(f"Beschlussvorschlag beginnt nicht an einer Überschrift: {text[:60]!r}")
    for p in RESOLUTION_NOISE:
        m = p.search(text)
        if m:
            reasons.append(f"Beschlussvorschlag enthält Formular: {m.group(0)!r}")
    reasons += _bad_lines(text, FORM_LINES, "Beschlussvorschlag enthält Formular")
    reasons += _bad_lines(
        text, (*HEADING_LINES, *FACTS_HEADING_LINES), "Beschlussvorschlag enthält Überschrift"
    )
    reasons += _bad_lines(text, FURNITURE, "Beschlussvorschlag enthält Seitenelement")
    return reasons


def check_facts(v: Vorlage) -> list[str]:
    """Reasons why the Sachdarstellung is missing or not correctly bounded."""
    text = v.sachdarstellung
    if not found(text):
        return ["Sachdarstellung fehlt"]
    assert text is not None
    reasons: list[str] = []
    if not (starts_at_heading(v.text, text, FACTS_HEADS) or starts_after_form(v.text, text)):
        reasons.append(f"Sachdarstellung beginnt nicht an einer Überschrift: {text[:60]!r}")
    reasons += _bad_lines(text, HEADING_LINES, "Sachdarstellung enthält Überschrift")
    reasons += _bad_lines(text, FURNITURE, "Sachdarstellung enthält Seitenelement")
    reasons += [
        f"Sachdarstellung enthält Seitenelement: {m.group(0)!r}"
        for m in _PAGE_HEADER_SPLIT.finditer(text)
    ]
    reasons += _bad_lines(text, FORM_LINES, "Sachdarstellung enthält Formular")
    return reasons


def check_beratungsfolge(v: Vorlage) -> list[str]:
    """Reasons why the Beratungsfolge is missing or has steps without a date."""
    if not v.beratungsfolge:
        return ["Beratungsfolge fehlt"]
    undated = [s.gremium for s in v.beratungsfolge if s.datum is None]
    return [f"Beratungsschritt ohne Datum: {g!r}" for g in undated]


def evaluate(v: Vorlage, path: str) -> PaperResult:
    """All checks for one parsed paper."""
    res_reasons = check_resolution(v)
    facts_reasons = check_facts(v)
    bf_reasons = check_beratungsfolge(v)
    return PaperResult(
        path=path,
        resolution_found=found(v.beschlussvorschlag),
        resolution_bounded=not res_reasons,
        facts_found=found(v.sachdarstellung),
        facts_bounded=not facts_reasons,
        beratungsfolge_dated=not bf_reasons,
        reasons=[*res_reasons, *facts_reasons, *bf_reasons],
    )


@dataclass
class Summary:
    """Rates over a corpus."""

    papers: int
    resolution_found: float
    resolution_bounded: float
    facts_found: float
    facts_bounded: float
    beratungsfolge_dated: float

    def rate(self, key: str) -> float:
        """The rate a threshold in ``THRESHOLDS`` applies to."""
        return {
            "beschlussvorschlag": self.resolution_bounded,
            "sachdarstellung": self.facts_bounded,
            "beratungsfolge": self.beratungsfolge_dated,
        }[key]


def summarize(results: Sequence[PaperResult]) -> Summary:
    """Shares over all papers (a paper that failed to parse counts as failing every check)."""
    n = max(len(results), 1)

    def share(attr: str) -> float:
        return sum(1 for r in results if getattr(r, attr)) / n

    return Summary(
        papers=len(results),
        resolution_found=share("resolution_found"),
        resolution_bounded=share("resolution_bounded"),
        facts_found=share("facts_found"),
        facts_bounded=share("facts_bounded"),
        beratungsfolge_dated=share("beratungsfolge_dated"),
    )
