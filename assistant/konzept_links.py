"""Links between a concept and Vorlagen, by rules a council member can check (issue 15).

* **Adopting Vorlage** (:func:`adoption`): a Vorlage of the same Kommune whose Betreff or one
  of whose Anlagen is the concept's title (letters and digits compared, one contained in the
  other and at least 80 % of its length); the earliest such Vorlage.
* **Uptake of a measure** (:func:`measure_uptake`), in this order, with the passage that shows
  it: the Vorlage names the measure's printed number ("Maßnahme 3.2") and the concept
  (Integrationskonzept / -plan or its title); or it quotes the measure's title (three or
  more words); or the Vorlage is about integration (it names Integration, Migration,
  Geflüchtete, Zugewanderte, …) and one of its sentences holds at least two distinctive
  words of the title: stems (first seven letters) of words of seven or more letters that
  are no common words of the field and occur in at most 5 % of the Vorlagen checked.
* **Uptake of a Handlungsfeld** (:func:`field_uptake`): a sentence names "Handlungsfeld" and
  the field's title.

Only Vorlagen dated on or after the adopting Vorlage (when both dates are known) count for
uptake, and never the adopting Vorlage itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.schema import Handlungsfeld, Massnahme, Vorlage

__all__ = [
    "Evidence",
    "Pool",
    "adoption",
    "candidates",
    "distinctive_stems",
    "field_uptake",
    "measure_uptake",
    "same_title",
]

PASSAGE_CHARS = 300
MIN_SHARE = 0.8
STEM = 7
RARE_SHARE = 0.05
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{7,}")
COMMON_WORDS = frozenset(
    {
        "integration",
        "integrationskonzept",
        "integrationskonzepts",
        "integrationsplan",
        "integrationsplans",
        "migrantinnen",
        "migranten",
        "migrationshintergrund",
        "maßnahme",
        "maßnahmen",
        "umsetzung",
        "weiterentwicklung",
        "förderung",
        "verbesserung",
        "zugewanderte",
        "zugewanderten",
        "handlungsfeld",
        "angebote",
        "angeboten",
    }
)
_CONCEPT = re.compile(r"Integrations(?:konzept|plan)", re.IGNORECASE)
_ABOUT_INTEGRATION = re.compile(
    r"Integration|Migration|Geflüchtet|Flüchtling|Zugewandert|Zuwander|Asyl|Ausländer",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„])|\n\s*\n")
_SQUASH = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Evidence:
    """Why a Vorlage is linked: the rule (German, for the clerk) and the passage."""

    vorlage: Vorlage
    regel: str
    passage: str


def squash(text: str) -> str:
    return _SQUASH.sub("", text.lower())


def same_title(title: str, other: str) -> bool:
    """One title contained in the other, covering at least 80 % of it."""
    a, b = squash(title), squash(other)
    short, long_ = sorted((a, b), key=len)
    return bool(short) and short in long_ and len(short) >= MIN_SHARE * len(long_)


def distinctive_stems(text: str) -> set[str]:
    """Stems (first seven letters) of the words of seven or more letters, common ones left
    out."""
    return {w.lower()[:STEM] for w in _WORD.findall(text) if w.lower() not in COMMON_WORDS}


def adoption(konzept: Vorlage, vorlagen: Iterable[Vorlage]) -> Evidence | None:
    """The Vorlage that adopted ``konzept`` (see the module docstring), or ``None``."""
    found: list[Evidence] = []
    for vorlage in _same_kommune(konzept, vorlagen):
        if vorlage.betreff and same_title(konzept.betreff or "", vorlage.betreff):
            found.append(Evidence(vorlage, "Betreff nennt das Konzept", vorlage.betreff))
            continue
        anlage = next((a for a in vorlage.anlagen if same_title(konzept.betreff or "", a)), None)
        if anlage:
            found.append(Evidence(vorlage, "Anlage ist das Konzept", anlage))
    found.sort(key=lambda e: (e.vorlage.datum is None, e.vorlage.datum or 0))
    return found[0] if found else None


def _same_kommune(konzept: Vorlage, vorlagen: Iterable[Vorlage]) -> Iterable[Vorlage]:
    for vorlage in vorlagen:
        if vorlage.kind != "vorlage" or vorlage.id == konzept.id:
            continue
        if konzept.kommune and vorlage.kommune and konzept.kommune != vorlage.kommune:
            continue
        yield vorlage


@dataclass(frozen=True)
class Pool:
    """The Vorlagen that may take up a concept's measures, read once: their sentences, whether
    they are about integration, and how many of them use each stem."""

    vorlagen: list[Vorlage]
    sentences: dict[str, list[str]]
    words: dict[str, list[str]]  # each sentence as lower-case words
    stems: dict[str, list[set[str]]]  # each sentence's distinctive stems
    about_integration: set[str]
    frequency: dict[str, int]

    @classmethod
    def of(cls, vorlagen: list[Vorlage]) -> Pool:
        sentences = {v.id: _sentences(_text(v)) for v in vorlagen}
        words = {i: [_words(x) for x in found] for i, found in sentences.items()}
        stems = {i: [distinctive_stems(x) for x in found] for i, found in sentences.items()}
        frequency: dict[str, int] = {}
        for per_sentence in stems.values():
            for stem in set().union(*per_sentence) if per_sentence else set():
                frequency[stem] = frequency.get(stem, 0) + 1
        about = {v.id for v in vorlagen if _ABOUT_INTEGRATION.search(_text(v))}
        return cls(vorlagen, sentences, words, stems, about, frequency)

    def rare(self, stems: set[str]) -> set[str]:
        limit = max(1, int(RARE_SHARE * len(self.vorlagen)))
        return {s for s in stems if self.frequency.get(s, 0) <= limit}


def candidates(konzept: Vorlage, vorlagen: Iterable[Vorlage], adopted: Evidence | None) -> Pool:
    """The Vorlagen that may take up the concept's measures."""
    since = adopted.vorlage.datum if adopted else None
    skip = adopted.vorlage.id if adopted else None
    return Pool.of(
        [
            v
            for v in _same_kommune(konzept, vorlagen)
            if v.id != skip and (since is None or v.datum is None or v.datum >= since)
        ]
    )


def _text(vorlage: Vorlage) -> str:
    parts = (vorlage.betreff, vorlage.beschlussvorschlag, vorlage.sachdarstellung)
    joined = "\n\n".join(p for p in parts if p)
    return joined or vorlage.text


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in _SENTENCE.split(text) if s.strip()]


def _cut(sentence: str) -> str:
    if len(sentence) <= PASSAGE_CHARS:
        return sentence
    return sentence[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"


def measure_uptake(konzept: Vorlage, massnahme: Massnahme, pool: Pool) -> list[Evidence]:
    """The Vorlagen of ``pool`` that take up ``massnahme``, each with its evidence."""
    found: list[Evidence] = []
    for vorlage in pool.vorlagen:
        evidence = _measure_evidence(konzept, massnahme, vorlage, pool)
        if evidence is not None:
            found.append(evidence)
    return found


def _names_concept(konzept: Vorlage, vorlage: Vorlage) -> bool:
    text = _text(vorlage)
    title = squash(konzept.betreff or "")
    return bool(_CONCEPT.search(text)) or bool(title and title in squash(text))


def _measure_evidence(
    konzept: Vorlage, massnahme: Massnahme, vorlage: Vorlage, pool: Pool
) -> Evidence | None:
    sentences = pool.sentences[vorlage.id]
    if not massnahme.nummer_abgeleitet:
        number = re.compile(rf"\bMaßnahme\s+{re.escape(massnahme.nummer)}(?![.\d])")
        hit = next((s for s in sentences if number.search(s)), None)
        if hit and _names_concept(konzept, vorlage):
            return Evidence(vorlage, f"nennt Maßnahme {massnahme.nummer}", _cut(hit))
    title = _words(massnahme.titel)
    if len(title.split()) >= 3 and len(title) >= 15:
        words = pool.words[vorlage.id]
        hit = next((s for s, w in zip(sentences, words, strict=True) if title in w), None)
        if hit:
            return Evidence(vorlage, "zitiert den Titel der Maßnahme", _cut(hit))
    stems = pool.rare(distinctive_stems(massnahme.titel))
    if len(stems) >= 2 and vorlage.id in pool.about_integration:
        for sentence, own in zip(sentences, pool.stems[vorlage.id], strict=True):
            shared = stems & own
            if len(shared) >= 2:
                listed = ", ".join(f"{w}…" for w in sorted(shared))
                return Evidence(vorlage, f"gemeinsame seltene Wörter ({listed})", _cut(sentence))
    return None


def field_uptake(feld: Handlungsfeld, pool: Pool) -> list[Evidence]:
    """The Vorlagen with a sentence naming "Handlungsfeld" and the field's title."""
    title = squash(feld.titel)
    found: list[Evidence] = []
    for vorlage in pool.vorlagen:
        hit = next(
            (
                s
                for s in pool.sentences[vorlage.id]
                if "handlungsfeld" in s.lower() and title and title in squash(s)
            ),
            None,
        )
        if hit:
            found.append(Evidence(vorlage, f"nennt das Handlungsfeld {feld.titel}", _cut(hit)))
    return found
