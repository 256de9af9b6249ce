"""Rule ``abdeckung`` (warnings): the clerk's facts that the Sachdarstellung does not use.

The clerk's facts (``request.fakten``, usually "- " lines) are what the Sachdarstellung has to
say. A small model leaves some out, or writes about another case, and such a draft passed
every rule. Per fact line (bullet and numbering removed, empty lines skipped), a warning names
the line when

* none of its numbers, amounts, dates, years, § references and Vorlagen-Nr.
  (:func:`~assistant.validation.facts.extract_facts`, compared in normalised form: "1.500 €"
  is "1500 Euro") occurs in the Sachdarstellung or the Begründung, and
* more than half of its content words (at least :data:`MIN_LETTERS` letters, not in
  :data:`STOPWORDS`; compared by their first :data:`STEM_LETTERS` letters, so that
  "Sanierung" covers "Sanierungen") do not occur there either.

A line without numbers is judged by its words alone, one without content words by its numbers
alone. A request without facts gives no warning, nor does an empty Sachdarstellung (``required``
reports that). It is a warning: the clerk decides whether a fact belongs in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.facts import Sources, extract_facts
from assistant.validation.findings import finding, short

MIN_LETTERS = 5
STEM_LETTERS = 6
RE_CONTENT_WORD = re.compile(rf"[A-Za-zÄÖÜäöüß]{{{MIN_LETTERS},}}")
RE_BULLET = re.compile(r"^[ \t]*(?:[-–•*]|\(?\d{1,2}[.)])[ \t]+")
STOPWORDS = frozenset({
    "aber", "alle", "allen", "aller", "alles", "andere", "anderen", "auch", "bereits", "bisher",
    "damit", "dabei", "dafür", "daher", "darüber", "deren", "derzeit", "deshalb", "dessen",
    "diese", "diesem", "diesen", "dieser", "dieses", "durch", "ebenso", "einem", "einen",
    "einer", "eines", "gegen", "gemäß", "haben", "hatte", "hatten", "hierzu", "hierfür",
    "immer", "innerhalb", "insbesondere", "jeweils", "jetzt", "keine", "keinen", "keiner",
    "können", "könnte", "künftig", "müssen", "nicht", "ihrem", "ihren", "ihrer", "seine",
    "seiner", "sollen", "sollte", "sollten", "soweit", "sowie", "sowohl", "unter", "während",
    "weitere", "weiteren", "weiterer", "welche", "welcher", "welches", "werden", "wieder",
    "worden", "wurde", "wurden", "zudem", "zunächst", "zwischen",
})  # fmt: skip


def _stems(text: str) -> set[str]:
    return {
        word.lower()[:STEM_LETTERS]
        for word in RE_CONTENT_WORD.findall(text)
        if word.lower() not in STOPWORDS
    }


def fact_lines(fakten: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-empty fact line of ``fakten``, without its bullet."""
    offset = 0
    for line in fakten.splitlines(keepends=True):
        bullet = RE_BULLET.match(line)
        start = bullet.end() if bullet else len(line) - len(line.lstrip())
        content = line[start:].rstrip()
        if content:
            yield offset + start, offset + start + len(content)
        offset += len(line)


def _unused(line: str, sources: Sources, used: set[str]) -> bool:
    facts = extract_facts(line)
    words = _stems(line)
    if not facts and not words:
        return False
    if any(sources.covers(fact) for fact in facts):
        return False
    return not words or len(words - used) * 2 > len(words)


def check_abdeckung(draft: Draft) -> Iterator[Finding]:
    """Warnings for fact lines whose numbers and most content words the text does not use."""
    text = "\n".join(t for t in (draft.sachdarstellung, draft.begruendung) if t)
    fakten = draft.request.fakten
    if not text.strip() or not fakten.strip():
        return
    sources = Sources()
    sources.add_text(text)
    used = _stems(text)
    for start, end in fact_lines(fakten):
        line = fakten[start:end]
        if _unused(line, sources, used):
            yield finding(
                "abdeckung",
                f"Ihre Angabe „{short(line, 50)}“ kommt in der Sachdarstellung nicht vor. Bitte "
                "prüfen Sie, ob sie fehlt.",
                severity="warning",
                field_name="request.fakten",
                span=(start, end),
                token=short(line, 40),
            )
