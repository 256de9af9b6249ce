"""The outline of a Sachdarstellung: which of the clerk's facts go into which part.

A Beschlussvorlage's statement of facts follows a familiar order: Anlass/Ausgangslage,
Sachstand, Ziele und Maßnahmen, Beteiligung, Kosten, weiteres Vorgehen. The drafting service
writes one short paragraph per part, each from its own facts only (issue 9, step 2), instead of
asking the model for the whole text at once: the bundled 1.5B model, given everything, retold
earlier cases as this one's, padded with the prompt's wording and repeated itself. Here code
decides what goes where:

* :func:`fact_lines` splits the clerk's facts into single facts (bullet lines, else sentences);
* :func:`plan` puts each fact into exactly one part by keywords (:data:`PART_PATTERNS`, first
  match in the order of :data:`PRIORITY`; an unmatched fact is the Anlass while it has none, else
  the Sachstand) and drops parts without facts: nothing is padded;
* :func:`precedent_sentence` names the most similar earlier Vorlagen with their markers, as
  context and never as facts of this case;
* :func:`cost_reference` refers to the Finanzielle Auswirkungen section instead of repeating
  the clerk's (often form-shaped) finance text;
* :func:`is_sentence` tells the clerk's sentences, which are kept word for word, from notes,
  which the model puts into sentences;
* :func:`fact_prose` is the fallback when the model's sentences for a part fail their
  checks: the clerk's own notes as sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.schema import Citation
from assistant.validation.operative import has_verb

__all__ = [
    "PARTS",
    "Part",
    "PartKey",
    "cost_reference",
    "fact_lines",
    "fact_prose",
    "is_sentence",
    "plan",
    "precedent_sentence",
]

PartKey = Literal["anlass", "sachstand", "ziele", "beteiligung", "kosten", "vorgehen"]
PARTS: dict[PartKey, str] = {
    "anlass": "Anlass und Ausgangslage",
    "sachstand": "Sachstand",
    "ziele": "Ziele und Maßnahmen",
    "beteiligung": "Beteiligung",
    "kosten": "Kosten",
    "vorgehen": "Weiteres Vorgehen",
}
"""The parts in the order they appear in the Sachdarstellung, with their German titles."""

_AMOUNT = r"\d[\d.,]*\s*(?:Mio\.?|Millionen|Tsd\.?|T)?\s*(?:€|Euro|EUR)\b"
PART_PATTERNS: dict[PartKey, re.Pattern[str]] = {
    "kosten": re.compile(
        rf"{_AMOUNT}|\w*(?:kosten|haushalt|zuschuss|zuwendung|finanzier|budget|eigenanteil)\w*"
        r"|\b(?-i:Förder)\w*|\bMittel\s+(?:in\s+Höhe|von)",
        re.IGNORECASE,
    ),
    "beteiligung": re.compile(
        r"\w*(?:beteilig|beirat|anhörung|workshop|befragung|arbeitskreis|arbeitsgruppe"
        r"|öffentlichkeit|fachtag)\w*|\b(?:Bürger\w*|Träger\w*|Verein\w*|Verbände|angehört"
        r"|partizipativ\w*|einbezogen|Runde[rn]?\s+Tisch\w*)",
        re.IGNORECASE,
    ),
    "vorgehen": re.compile(
        r"\b(?:künftig\w*|geplant\w*|voraussichtlich|anschließend|nächste[nr]?\s+Schritt\w*"
        r"|weitere[sn]?\s+Vorgehen|soll(?:en)?|wird\s+\w+\s+werden|ab\s+(?:dem\s+)?\d"
        r"|bis\s+(?:Ende|zum|spätestens)|Zeitplan|Umsetzung\s+(?:ab|bis|im))\b",
        re.IGNORECASE,
    ),
    "ziele": re.compile(
        r"\w*(?:ziel|maßnahme|handlungsfeld|handlungsempfehlung|schwerpunkt|leitlinie"
        r"|leitbild)\w*|\b(?:sieht\s+vor|vorgesehen)\b",
        re.IGNORECASE,
    ),
    "anlass": re.compile(
        r"§|\b(?:Anlass|Antrag\w*|beantragt|Auftrag|beauftragt|beschlossen|Beschluss\w*"
        r"|Gesetz\w*|gesetzlich\w*|Verordnung\w*|Richtlinie\w*|Erlass|erforderlich|notwendig"
        r"|verpflichtet)\b",
        re.IGNORECASE,
    ),
}
PRIORITY: tuple[PartKey, ...] = ("kosten", "beteiligung", "anlass", "vorgehen", "ziele")
"""The order in which the patterns are tried: a fact with an amount is about costs even when
it also names a measure; one with "Antrag" or "§" is the Anlass even when it says "soll"."""

_BULLET = re.compile(r"^[ \t]*(?:[-–•*➢►▪·]|\(?\d{1,2}[.)]|[a-z]\))[ \t]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"“”»)]?\s+(?=[A-ZÄÖÜ„\"(])")
_ABBREVIATION_END = re.compile(
    r"\b(?:Nr|Abs|Art|Ziff|Dr|Prof|Hr|Fr|bzw|ggf|vgl|gem|ca|Str|St|lt|evtl|inkl|zzgl|usw|sog"
    r"|rd|Mio|Mrd|Tsd|bspw|insb|mind|max|z\.\s?B|u\.\s?a|d\.\s?h|i\.\s?d\.\s?R|\d{1,2})\.$"
)
MAX_PRECEDENTS = 2
PRECEDENT_BETREFF_CHARS = 90


@dataclass(frozen=True)
class Part:
    """One part of the Sachdarstellung with the clerk's facts that belong to it."""

    key: PartKey
    facts: tuple[str, ...]

    @property
    def title(self) -> str:
        return PARTS[self.key]


def _sentences(text: str) -> list[str]:
    """``text`` split at sentence ends, not after abbreviations ("Nr.", "z. B.")."""
    out: list[str] = []
    current = ""
    for piece in _SENTENCE_END.split(" ".join(text.split())):
        current = f"{current} {piece}".strip() if current else piece
        if not _ABBREVIATION_END.search(current.rstrip('"“”»)')):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return [s for s in out if s]


def fact_lines(fakten: str) -> list[str]:
    """The clerk's facts one by one: list items when the text is a list (a line that does not
    start a new item continues the previous one), else its sentences."""
    lines = [line for line in fakten.splitlines() if line.strip()]
    if any(_BULLET.match(line) for line in lines):
        items: list[str] = []
        for line in lines:
            if _BULLET.match(line) or not items:
                items.append(_BULLET.sub("", line).strip())
            else:
                items[-1] = f"{items[-1]} {line.strip()}"
        return [" ".join(item.split()) for item in items if item.strip()]
    return _sentences(fakten)


def _part_of(fact: str) -> PartKey | None:
    return next((key for key in PRIORITY if PART_PATTERNS[key].search(fact)), None)


def plan(fakten: str) -> list[Part]:
    """The parts of the Sachdarstellung, in outline order, each with its facts (in the clerk's
    order); parts without facts are left out. Every fact lands in exactly one part."""
    buckets: dict[PartKey, list[str]] = {key: [] for key in PARTS}
    for fact in fact_lines(fakten):
        key = _part_of(fact)
        if key is None:
            key = "sachstand" if buckets["anlass"] else "anlass"
        buckets[key].append(fact)
    return [Part(key, tuple(facts)) for key, facts in buckets.items() if facts]


MIN_SENTENCE_WORDS = 4
_SENTENCE_START = re.compile(r"^[A-ZÄÖÜ„\"(\d]")


def is_sentence(fact: str) -> bool:
    """Whether a fact is already a sentence a Vorlage can print as it is: it starts with a
    capital letter (or a digit or a quote), ends with a full stop, has at least
    :data:`MIN_SENTENCE_WORDS` words and a verb. Such facts are kept word for word; only
    notes ("Gesamtkosten 2,4 Mio. Euro") are put into sentences by the model."""
    text = " ".join(fact.split())
    return (
        bool(_SENTENCE_START.match(text))
        and text.endswith((".", "!", "?"))
        and len(text.split()) >= MIN_SENTENCE_WORDS
        and has_verb(text)
    )


def fact_prose(facts: Sequence[str]) -> str:
    """The facts as plain sentences: bullet signs gone, first letter upper case, a full stop
    at the end (the clerk's own words, for a part whose model text failed its checks)."""
    out: list[str] = []
    for fact in facts:
        text = " ".join(fact.split()).rstrip(" ,;:")
        if not text:
            continue
        text = text[0].upper() + text[1:]
        if not text.endswith((".", "!", "?")):
            text += "."
        out.append(text)
    return " ".join(out)


def _short(text: str, limit: int = PRECEDENT_BETREFF_CHARS) -> str:
    text = " ".join(text.split()).strip(' „“"')
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return f"{cut} …"


def precedent_sentence(citations: Sequence[Citation]) -> str:
    """One sentence naming the most similar earlier Vorlagen by Betreff with their markers
    ("Vergleichbare Vorlagen wurden bereits beraten: „…“ (Stadt X) [1] und „…“ [2].");
    "" without citations. Only the Betreff is named: numbers or names of those cases are not
    stated as facts of this one. Citations without a Betreff are skipped."""
    seen: set[str] = set()
    named: list[str] = []
    for citation in citations:
        if not citation.betreff or citation.vorlage_id in seen or citation.kind == "konzept":
            continue  # a concept's measure is named by assistant.draft_konzept
        seen.add(citation.vorlage_id)
        where = f" ({citation.kommune})" if citation.kommune else ""
        named.append(f"„{_short(citation.betreff)}“{where} [{citation.n}]")
        if len(named) == MAX_PRECEDENTS:
            break
    if not named:
        return ""
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} und {named[-1]}"
    verb = "wurde" if len(named) == 1 else "wurden"
    noun = "Eine vergleichbare Vorlage" if len(named) == 1 else "Vergleichbare Vorlagen"
    return f"{noun} {verb} bereits andernorts beraten: {listed}."


def cost_reference(finanzen: str, no_impact: str) -> str:
    """The sentence that refers to the Finanzielle Auswirkungen section; "" when the clerk
    stated none (nothing is padded) or stated that there are none (``no_impact``)."""
    if not finanzen.strip() or finanzen.strip() == no_impact:
        return ""
    return "Die finanziellen Auswirkungen sind im Abschnitt „Finanzielle Auswirkungen“ dargestellt."
