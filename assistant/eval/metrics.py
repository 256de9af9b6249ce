"""The figures of one draft: closeness to the original (chrF), the right deciding body, the
ungrounded tokens, and what a clerk would judge: the rules it breaks, whether it is complete
and clean, how many of the clerk's facts it uses, how much of it is copied from a source, the
topic warning. :mod:`assistant.eval.summary` sums them up per system.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sacrebleu.metrics.chrf import CHRF

from assistant.eval.clerk_facts import QUOTED_NAME
from assistant.schema import Draft, ValidationReport
from assistant.validation import (
    CITATION_MARKER,
    RE_CLAUSE,
    RE_INVERTED_CLAUSE,
    Fact,
    extract_facts,
    same_body,
    validate,
)
from assistant.validation.facts import Sources
from assistant.validation.sentences import RE_READER_WORD, ngrams, word_tokens

__all__ = [
    "CLEAN_RULES",
    "COPY_RUN_WORDS",
    "chrf",
    "complete_and_clean",
    "copied_share",
    "corpus_chrf",
    "decides_correctly",
    "error_rules",
    "fact_coverage",
    "topic_warning",
    "ungrounded_count",
    "warning_rules",
]

# Rules whose warnings a clerk would not keep either (issue 9): a draft is "complete and clean"
# with no error and no warning of these.
CLEAN_RULES: tuple[str, ...] = (
    "vollstaendig",
    "formularreste",
    "finanzen",
    "wiederholung",
    "anweisung",
    "abdeckung",
    "fremder-fall",
)
COPY_RUN_WORDS = 8  # a run of this many words shared with a source counts as copied


def _report(draft: Draft) -> ValidationReport:
    """The draft's validation report (validated here when it has none)."""
    return draft.validation or validate(draft)


_CHRF = CHRF()  # chrF2: character 6-grams, beta 2, whitespace ignored (sacrebleu's defaults)
_RECOMMENDING = {"empfiehlt", "empfehlen"}


def _plain(text: str) -> str:
    """Text for chrF: citation markers ([1], [2, 3]) removed, whitespace collapsed."""
    return " ".join(CITATION_MARKER.sub(" ", text).split())


def chrf(hypothesis: str, reference: str) -> float:
    """Segment-level chrF2 (0-100) of one text against its original (sacrebleu's ``CHRF``)."""
    return float(_CHRF.sentence_score(_plain(hypothesis), [_plain(reference)]).score)


def corpus_chrf(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Corpus-level chrF2 over (hypothesis, reference) pairs: the character n-gram statistics
    of all pairs are summed before the F-score is taken (sacrebleu ``corpus_score``), so a long
    text weighs more than a short one. ``None`` without pairs."""
    if not pairs:
        return None
    hypotheses = [_plain(h) for h, _ in pairs]
    references = [_plain(r) for _, r in pairs]
    return float(_CHRF.corpus_score(hypotheses, [references]).score)


def _acting_bodies(text: str) -> Iterable[str]:
    """The bodies that act in a resolution's clauses (the validator's clause patterns): the
    subject of "Der X beschließt …" / "… beschließt der X", and the addressee of "Der X
    empfiehlt dem Y …"."""
    for match in RE_CLAUSE.finditer(text):
        yield match.group("body")
        if match.group("verb") in _RECOMMENDING and match.group("target"):
            yield match.group("target")
    for match in RE_INVERTED_CLAUSE.finditer(text):
        yield match.group("body")


def decides_correctly(draft: Draft) -> bool:
    """Whether the draft's Beschlussvorschlag is decided by the right body.

    True exactly when (a) the Beschlussvorschlag is not empty, (b) validation reports no
    ``deciding-body`` finding (no other body decides, recommendations go to the decider from an
    earlier step), and (c) a clause of it names ``request.gremium`` (by
    :func:`~assistant.validation.same_body`) as the acting body ("Der Gemeinderat beschließt",
    "… stimmt der Gemeinderat zu") or as the addressee of a recommendation ("Der Ausschuss
    empfiehlt dem Gemeinderat, …"). (b) alone would also pass a resolution that names no body
    at all ("Es wird beschlossen …").
    """
    text = draft.beschlussvorschlag
    if not text.strip():
        return False
    report = _report(draft)
    if any(f.rule == "deciding-body" for f in (*report.errors, *report.warnings)):
        return False
    return any(same_body(body, draft.request.gremium) for body in _acting_bodies(text))


def ungrounded_count(draft: Draft) -> int:
    """The number of ``grounded`` findings: numbers, dates, amounts, §, Vorlagen-Nr. in the
    draft that are neither in the request nor in a cited passage (each occurrence counts)."""
    report = _report(draft)
    return sum(1 for f in (*report.errors, *report.warnings) if f.rule == "grounded")


# --- what a clerk would judge -----------------------------------------------------------------


def error_rules(draft: Draft) -> set[str]:
    """The ids of the rules with at least one error in ``draft``."""
    return {f.rule for f in _report(draft).errors}


def warning_rules(draft: Draft) -> set[str]:
    """The ids of the rules with at least one warning in ``draft``."""
    return {f.rule for f in _report(draft).warnings}


def complete_and_clean(draft: Draft) -> bool:
    """No error of any rule and no warning of the :data:`CLEAN_RULES` (an unfinished sentence,
    form or Markdown residue, finances in the text, a repeated sentence, prompt instructions,
    an unused fact of the clerk's, another case's matter)."""
    report = _report(draft)
    return report.ok and not any(f.rule in CLEAN_RULES for f in report.warnings)


def topic_warning(draft: Draft) -> bool:
    """Whether validation warns that the Beschlussvorschlag is not about the Betreff (the topic
    check of rule ``operative``: its only finding with severity warning)."""
    return any(f.rule == "operative" for f in _report(draft).warnings)


def _words(text: str) -> list[str]:
    """The lower-case words of ``text`` as a reader counts them ("1.200.000" is one word),
    punctuation and citation markers dropped."""
    return word_tokens(text, RE_READER_WORD)


def _phrase(text: str) -> str:
    """Lower-case words separated by one space, punctuation and citation markers dropped,
    padded with spaces so that a phrase matches whole words only."""
    return f" {' '.join(_words(text))} "


def _request_facts(fakten: str) -> tuple[list[Fact], list[str]]:
    """The distinct checkable tokens of the clerk's facts (by their normalised keys) and the
    distinct names in quotation marks (as :func:`_phrase`)."""
    facts: dict[tuple[object, ...], Fact] = {}
    for fact in extract_facts(fakten):
        facts.setdefault((fact.needs, fact.paragraphs), fact)
    names = dict.fromkeys(_phrase(m.group()[1:-1]) for m in QUOTED_NAME.finditer(fakten))
    return list(facts.values()), [name for name in names if name.strip()]


def fact_coverage(draft: Draft) -> float | None:
    """The share of the clerk's checkable details that the draft's Beschlussvorschlag and
    Sachdarstellung take up; ``None`` when the facts have none.

    The details are the numbers, amounts, dates, years, percentages, times, § references and
    Vorlagen-Nr. of ``request.fakten`` (:func:`~assistant.validation.extract_facts`; each
    distinct value once), compared by the keys ``grounded`` uses ("1.500 €" is "1500 Euro",
    "05.12.2023" is "5. Dezember 2023"), and the names in quotation marks („Stiftung Forum
    Recht“), which count when their words occur in that order (case and punctuation ignored).
    """
    facts, names = _request_facts(draft.request.fakten)
    if not facts and not names:
        return None
    text = f"{draft.beschlussvorschlag}\n{draft.sachdarstellung}"
    found = Sources()
    found.add_text(text)
    words = _phrase(text)
    covered = sum(found.covers(fact) for fact in facts) + sum(name in words for name in names)
    return covered / (len(facts) + len(names))


def copied_share(draft: Draft, run: int = COPY_RUN_WORDS) -> float | None:
    """The share of the Sachdarstellung's words that lie in a run of ``run`` consecutive words
    shared with the passage of any of the draft's citations (lower case, punctuation and
    citation markers dropped, a number such as "1.200.000" one word): text copied from a
    source. ``None`` for an empty
    Sachdarstellung; 0.0 without citations."""
    words = _words(draft.sachdarstellung)
    if not words:
        return None
    theirs: set[tuple[str, ...]] = set()
    for citation in draft.citations:
        theirs |= ngrams(_words(citation.passage), run)
    copied = [False] * len(words)
    for i in range(len(words) - run + 1):
        if tuple(words[i : i + run]) in theirs:
            copied[i : i + run] = [True] * run
    return sum(copied) / len(words)
