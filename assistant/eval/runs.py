"""The systems under evaluation and one paper drafted by each.

A :data:`Drafter` is one system: ``(request, excluded Vorlage ids) -> validated Draft``; the
Vorlagen-Assistent is :func:`assistant_drafter`, the baseline
:class:`~assistant.eval.baseline.BaselineDrafter`. :func:`run_paper` drafts one paper with every
system, the paper excluded from retrieval, and records a model failure instead of raising it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from assistant.drafting import DraftingService
from assistant.eval.papers import request_from_vorlage
from assistant.ports import LLMError
from assistant.schema import Draft, DraftRequest, Vorlage
from assistant.validation import validate

__all__ = ["ASSISTANT", "BASELINE", "Drafter", "PaperRun", "assistant_drafter", "run_paper"]

ASSISTANT = "Vorlagen-Assistent"
BASELINE = "Baseline"

Drafter = Callable[[DraftRequest, Collection[str]], Draft]
"""One system under evaluation: ``(request, excluded Vorlage ids) -> validated Draft``."""


def assistant_drafter(service: DraftingService, *, allow_nonpublic: bool = False) -> Drafter:
    """The Vorlagen-Assistent as a :data:`Drafter` (retrieval, section prompts, repair)."""

    def draft(request: DraftRequest, exclude_ids: Collection[str]) -> Draft:
        return service.draft(request, exclude_ids=exclude_ids, allow_nonpublic=allow_nonpublic)

    return draft


@dataclass(frozen=True)
class PaperRun:
    """One system's attempt at one paper: the Draft, or the German error when it failed."""

    paper: Vorlage
    system: str
    seconds: float
    draft: Draft | None = None
    error: str | None = None


def run_paper(
    paper: Vorlage,
    drafters: Mapping[str, Drafter],
    clock: Callable[[], float] = time.perf_counter,
) -> list[PaperRun]:
    """Draft ``paper`` again with every system, the paper excluded from retrieval.

    ``seconds`` is the wall-clock time of the whole call (retrieval, generation, validation,
    repair). A model failure (``LLMError``) is recorded as the run's ``error``; other errors
    (a broken index) propagate. A Draft without a validation report is validated here.
    """
    request = request_from_vorlage(paper)
    runs: list[PaperRun] = []
    for system, drafter in drafters.items():
        started = clock()
        try:
            draft = drafter(request, [paper.id])
        except LLMError as err:
            runs.append(PaperRun(paper, system, clock() - started, error=str(err)))
            continue
        seconds = clock() - started
        if draft.validation is None:
            draft = draft.model_copy(update={"validation": validate(draft)})
        runs.append(PaperRun(paper, system, seconds, draft=draft))
    return runs
