"""Draft evaluation: regenerate real council papers and compare against a naive baseline.

The public names of the package :mod:`assistant.eval` (one concept per module), for
``vorlagen eval drafts`` (``api/cli_eval_drafts.py``), ``bench/`` and the tests. Pure apart
from the two drafters it is handed (the drafting service and :class:`BaselineDrafter`); reads
no settings. See ``docs/drafting.md`` ("Evaluating drafts") for the figures' definitions.

One paper, step by step:

1. :func:`skip_reason` tells whether a parsed paper can be regenerated at all (it needs a
   Betreff, a Beschlussvorschlag, a Sachdarstellung and a deciding body: from the
   Beratungsfolge, else from the Beschlussvorschlag, :func:`deciding_body`);
   :func:`choose_papers` picks ``n`` such papers spread evenly over the sorted list
   (:mod:`assistant.eval.papers`).
2. :func:`request_from_vorlage` turns the paper into the :class:`DraftRequest` a clerk would
   have typed: its Betreff, deciding body, Beratungsfolge, Kommune, Art, Finanzielle
   Auswirkungen, and as facts the sentences of its own Sachdarstellung that carry numbers,
   dates or named measures (:func:`fact_sentences`, :mod:`assistant.eval.clerk_facts`).
3. Every system drafts from that request with the paper itself excluded from retrieval
   (:func:`run_paper`, :mod:`assistant.eval.runs`); an :class:`~assistant.ports.LLMError` is
   recorded for that paper and system and the evaluation goes on.
4. :func:`summarise` computes the figures per system from the :class:`PaperRun` records;
   :func:`run_row` gives the per-paper row (:mod:`assistant.eval.summary`, with the figures of
   one draft in :mod:`assistant.eval.metrics`: besides chrF, deciding body and ungrounded
   tokens, what a clerk would judge: :func:`complete_and_clean`, :func:`fact_coverage`,
   :func:`copied_share`, :func:`topic_warning`, the rules with errors).

:func:`choose_examples` picks example drafts by a fixed rule and :func:`examples_markdown`
prints them (:mod:`assistant.eval.examples`, ``bench/draft_examples.py``).

The baseline (:class:`BaselineDrafter`, :mod:`assistant.eval.baseline`) is the honest naive
alternative with the same model: the top :data:`BASELINE_K` dense chunks, one plain prompt
(``prompts/baseline.j2``), the free text split into sections by its headings
(:func:`split_answer`), validated with the same rules.
"""

from __future__ import annotations

from assistant.eval.baseline import (
    BASELINE_K,
    BASELINE_MAX_TOKENS,
    BaselineDrafter,
    DenseRetriever,
    SplitAnswer,
    split_answer,
)
from assistant.eval.clerk_facts import fact_sentences, split_sentences
from assistant.eval.examples import Example, choose_examples, examples_markdown
from assistant.eval.metrics import (
    CLEAN_RULES,
    chrf,
    complete_and_clean,
    copied_share,
    corpus_chrf,
    decides_correctly,
    fact_coverage,
    topic_warning,
    ungrounded_count,
)
from assistant.eval.papers import (
    NO_FINANCES,
    Skipped,
    betreff_of,
    choose_papers,
    deciding_body,
    deciding_gremium,
    evenly_spaced,
    request_from_vorlage,
    skip_reason,
)
from assistant.eval.runs import ASSISTANT, BASELINE, Drafter, PaperRun, assistant_drafter, run_paper
from assistant.eval.summary import SystemSummary, failing_rules, run_row, summarise

__all__ = [
    "ASSISTANT",
    "BASELINE",
    "BASELINE_K",
    "BASELINE_MAX_TOKENS",
    "CLEAN_RULES",
    "NO_FINANCES",
    "BaselineDrafter",
    "DenseRetriever",
    "Drafter",
    "Example",
    "PaperRun",
    "Skipped",
    "SplitAnswer",
    "SystemSummary",
    "assistant_drafter",
    "betreff_of",
    "choose_examples",
    "choose_papers",
    "chrf",
    "complete_and_clean",
    "copied_share",
    "corpus_chrf",
    "decides_correctly",
    "deciding_body",
    "deciding_gremium",
    "evenly_spaced",
    "examples_markdown",
    "fact_coverage",
    "fact_sentences",
    "failing_rules",
    "request_from_vorlage",
    "run_paper",
    "run_row",
    "skip_reason",
    "split_answer",
    "split_sentences",
    "summarise",
    "topic_warning",
    "ungrounded_count",
]
