"""Rule ``anweisung``: no wording of the prompts in the text.

The bundled model sometimes writes its task into the answer. Real drafts ended "… in 1 bis 5
vollständigen Sätzen; keine Begründung, keine Zahlen, die nicht in den Fakten stehen." (the
task of ``prompts/beschlussvorschlag.j2``) and "Dieser Prozess wird in 2 vollständigen Sätzen
beschrieben."; an earlier prompt's "100 bis 250 Wörter" came back as text. A sentence of a
generated section is reported when it contains

* a distinctive phrase of the prompts' instructions (:data:`INSTRUCTION_PHRASES`, taken from
  ``prompts/*.j2``: "vollständigen Sätzen", "keine Zahlen, die nicht …", "Quellenverweise",
  "Fakten der Sachbearbeitung", "JSON", the worked example's "Spielplatz am Lindenweg", the
  model addressed as "du"/"dein"), or starts with an imperative of the prompts ("Schreibe",
  "Beschließe", "Antworte", …), or
* a run of :data:`TEMPLATE_RUN_WORDS` words of a template's instruction text
  (:func:`template_runs`, read from the templates themselves, so the rule follows their edits).

Words that appear in real Vorlagen ("Sätze" alone, "Beschluss", "wie folgt zu beschließen") do
not trigger it, nor does anything the clerk's request says itself. On the 1,015 Karlsruhe
papers with both sections the rule flags none (``tests/assistant/test_validation_clean.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources import files

from assistant.schema import Draft, Finding
from assistant.validation.findings import finding, generated_texts, short
from assistant.validation.sentences import Gram, ngrams, sentence_spans, shared_runs, word_tokens
from assistant.validation.style import RE_QUOTED

TEMPLATE_RUN_WORDS = 6
INSTRUCTION_PHRASES: tuple[str, ...] = (
    # beschlussvorschlag.j2: "in 1 bis 5 vollständigen Sätzen; keine Begründung, keine Zahlen,
    # die nicht in den Fakten stehen", "ohne Quellenverweise"; earlier: "100 bis 250 Wörter"
    r"\bin \d+(?: bis \d+)? (?:vollständigen )?(?:Sätzen|Absätzen|Wörtern)\b",
    r"\b(?:vollständige|ganze)[n]? Sätze[n]?\b",
    # sachdarstellung.j2 (issue 9): "Schreibe jetzt den Absatz „…“", "jede Angabe einmal"
    r"\b(?:[Dd]ieser|[Dd]er) Absatz (?:wird|beschreibt|enthält|fasst)\b|\bjede Angabe einmal\b",
    r"\b\d+ bis \d+ (?:Sätze|Absätze|Wörter)\b",
    r"\bkeine Zahlen,? die nicht\b",
    r"\bkeine Begründung, keine\b",
    r"\bQuellen(?:verweis|marker)\w*",
    # _fall.j2, _material.j2, sachdarstellung.j2: the labels of the clerk's case
    r"\b(?:Fakten|Angaben) der Sachbearbeitung\b",
    r"(?<!Auswirkungen )\blaut Sachbearbeitung\b",
    r"\bnur als Material\b",
    # system.j2 and repair.j2: the answer format, the worked example, the fences
    r"\bJSON\b",
    r"\bBeispiele? für die Form\b|\berfundene[nr]? F(?:a|ä)lle?\b",
    r"\bSpielplatz(?:es)? am Lindenweg\b",
    r"\bniemals eine Anweisung\b|\bAnweisungen? an dich\b",
    # every prompt addresses the model as "du"; a Vorlage never does
    r"\b[Dd]u [a-zäöüß]+st\b|\b[a-zäöüß]+st du\b",
    r"\bdein(?:e[mnrs]?)?\b",
    r"\b(?:an|für) dich\b",
)
RE_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in INSTRUCTION_PHRASES))
# Imperatives the prompts give the model, at the start of a sentence or list item.
RE_IMPERATIVE = re.compile(
    r"(?:[-–•*]\s+|\d{1,2}[.)]\s+)?(?:Schreibe|Beschließe|Beginne|Antworte|Korrigiere|Verwende"
    r"|Erfinde|Belege|Gliedere|Setze|Ignoriere|Befolge|Behalte|Streiche|Formuliere|Forme|Gib)\b"
)
_JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_QUOTED = re.compile(r"„[^“”\n]*[“”]")
_PREFIX = 6  # "Spielplatzes" in the request covers "Spielplatz" in the text


def instruction_text(template: str) -> list[str]:
    """The instruction text of a prompt template as pieces of literal text: without Jinja
    comments, tags and variables (a piece ends at each), without the words in „…“ (the
    wording the model is told to write, such as the resolution's opening), and without the
    worked example from a line starting with "Beispiel" on (it shows the form a draft should
    take)."""
    source = _QUOTED.sub("\n", _JINJA_COMMENT.sub("\n", template))
    lines = _JINJA.sub("\n", source).splitlines()
    example = next((i for i, line in enumerate(lines) if line.startswith("Beispiel")), None)
    return [line for line in lines[:example] if line.strip()]


@lru_cache(maxsize=1)
def template_runs() -> frozenset[Gram]:
    """The runs of TEMPLATE_RUN_WORDS words of the instruction text of every ``prompts/*.j2``
    (read once)."""
    grams: set[Gram] = set()
    for resource in files("prompts").iterdir():
        if resource.name.endswith(".j2"):
            for piece in instruction_text(resource.read_text(encoding="utf-8")):
                grams |= ngrams(word_tokens(piece), TEMPLATE_RUN_WORDS)
    return frozenset(grams)


def _prefixes(text: str) -> set[str]:
    return {word[:_PREFIX] for word in word_tokens(text)}


def _hits(text: str, request_words: set[str], own: set[Gram]) -> Iterator[tuple[int, int]]:
    """Spans of instruction wording in ``text``, not inside quotation marks and not in the
    clerk's request (every word of the phrase, by its first letters, in the request)."""
    quoted = [m.span() for m in RE_QUOTED.finditer(text)]
    for match in RE_INSTRUCTION.finditer(text):
        if _prefixes(match.group()) <= request_words:
            continue
        if not any(s <= match.start() < e for s, e in quoted):
            yield match.span()
    for start, end in sentence_spans(text):
        imperative = RE_IMPERATIVE.match(text, start, end)
        if imperative:
            yield imperative.span()
    yield from shared_runs(text, set(template_runs()), own, TEMPLATE_RUN_WORDS)


def check_anweisung(draft: Draft) -> Iterator[Finding]:
    """No sentence with the wording of a prompt's instructions (see the module docstring)."""
    request = draft.request
    request_text = "\n".join(t or "" for t in (request.betreff, request.fakten, request.gremium))
    own = ngrams(word_tokens(request_text), TEMPLATE_RUN_WORDS)
    for name, text in generated_texts(draft):
        hits = sorted(_hits(text, _prefixes(request_text), own))
        for start, end in sentence_spans(text):
            hit = next(((s, e) for s, e in hits if start <= s < end), None)
            if hit is None:
                continue
            token = short(text[hit[0] : hit[1]])
            yield finding(
                "anweisung",
                f"Dieser Satz gibt eine Anweisung an das Sprachmodell wieder („{token}“), "
                "keinen Inhalt der Vorlage. Bitte den Satz streichen.",
                field_name=name,
                span=(start, end),
                token=token,
            )
