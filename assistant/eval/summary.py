"""The figures per system (:func:`summarise`) and the per-draft row of ``--json``
(:func:`run_row`), from the :class:`~assistant.eval.runs.PaperRun` records of a run.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.eval.metrics import (
    chrf,
    complete_and_clean,
    copied_share,
    corpus_chrf,
    decides_correctly,
    error_rules,
    fact_coverage,
    topic_warning,
    ungrounded_count,
    warning_rules,
)
from assistant.eval.runs import PaperRun
from assistant.schema import Draft
from assistant.validation import RULE_IDS, validate

__all__ = ["SystemSummary", "failing_rules", "run_row", "summarise"]

DIGITS = 4


def _passed(draft: Draft) -> bool:
    return (draft.validation or validate(draft)).ok


def _share(count: float, total: int) -> float | None:
    return count / total if total else None


def _mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not ``None`` (``None`` when there are none)."""
    known = [value for value in values if value is not None]
    return _share(math.fsum(known), len(known))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class SystemSummary:
    """The figures of one system over all papers (``None``: no finished draft, or for the
    means of ``fact_coverage`` and ``copied_share``: no draft with a value)."""

    system: str
    drafts: int
    failed: int
    passed: float | None
    complete_and_clean: float | None
    deciding_body: float | None
    topic_warning: float | None
    ungrounded_mean: float | None
    ungrounded_in_passing: int
    fact_coverage: float | None
    copied_share: float | None
    chrf_beschlussvorschlag: float | None
    chrf_sachdarstellung: float | None
    seconds_mean: float | None
    seconds_median: float | None
    seconds_max: float | None
    rules: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {key: _rounded(value) for key, value in asdict(self).items()}


def failing_rules(drafts: Iterable[Draft]) -> list[str]:
    """The ids of the rules with an error in any of ``drafts``, in the order of the rule
    registry (ids it does not know, sorted, at the end)."""
    found = set().union(*(error_rules(draft) for draft in drafts))
    return [r for r in RULE_IDS if r in found] + sorted(found - set(RULE_IDS))


def _system_summary(system: str, own: Sequence[PaperRun], rules: Sequence[str]) -> SystemSummary:
    """The figures of one system's runs; ``rules`` are the rule ids to give a share for."""
    done = [(run, run.draft) for run in own if run.draft is not None]
    drafts = [draft for _, draft in done]
    seconds = [run.seconds for run, _ in done]
    ungrounded = [ungrounded_count(draft) for draft in drafts]
    failing = [error_rules(draft) for draft in drafts]
    return SystemSummary(
        system=system,
        drafts=len(drafts),
        failed=len(own) - len(drafts),
        passed=_share(sum(_passed(d) for d in drafts), len(drafts)),
        deciding_body=_share(sum(decides_correctly(d) for d in drafts), len(drafts)),
        ungrounded_mean=_share(sum(ungrounded), len(drafts)),
        ungrounded_in_passing=sum(n for n, d in zip(ungrounded, drafts, strict=True) if _passed(d)),
        chrf_beschlussvorschlag=corpus_chrf(
            [(d.beschlussvorschlag, r.paper.beschlussvorschlag or "") for r, d in done]
        ),
        chrf_sachdarstellung=corpus_chrf(
            [(d.sachdarstellung, r.paper.sachdarstellung or "") for r, d in done]
        ),
        seconds_mean=_share(math.fsum(seconds), len(seconds)),
        seconds_max=max(seconds) if seconds else None,
        complete_and_clean=_share(sum(complete_and_clean(d) for d in drafts), len(drafts)),
        fact_coverage=_mean(fact_coverage(d) for d in drafts),
        copied_share=_mean(copied_share(d) for d in drafts),
        topic_warning=_share(sum(topic_warning(d) for d in drafts), len(drafts)),
        seconds_median=statistics.median(seconds) if seconds else None,
        rules={
            rule: sum(rule in found for found in failing) / len(drafts)
            for rule in (rules if drafts else ())
        },
    )


def summarise(runs: Sequence[PaperRun]) -> list[SystemSummary]:
    """Figures per system, in the order the systems first occur in ``runs``.

    Over the finished drafts of a system (failed runs are only counted): the share that passes
    validation, the share with the right deciding body (:func:`decides_correctly`), the mean
    number of ungrounded tokens (:func:`ungrounded_count`) and their total in drafts that pass,
    corpus-level chrF of the Beschlussvorschlag and of the Sachdarstellung against the paper's
    own (:func:`corpus_chrf`), the mean, median and maximum seconds per draft; and as a clerk
    would judge: the share of drafts with an error of each rule (``rules``, for every rule
    with an error in any system's draft, :func:`failing_rules`), the share that is
    :func:`complete_and_clean`, the means of :func:`fact_coverage` and :func:`copied_share`
    (over the drafts that have a value) and the share with the :func:`topic_warning`.
    """
    by_system: dict[str, list[PaperRun]] = {}
    for run in runs:
        by_system.setdefault(run.system, []).append(run)
    rules = failing_rules(run.draft for run in runs if run.draft is not None)
    return [_system_summary(system, own, rules) for system, own in by_system.items()]


def run_row(run: PaperRun) -> dict[str, Any]:
    """The per-paper row of ``--json``: the paper, the system, and this draft's figures
    (chrF here is segment-level: :func:`chrf` of this one text)."""
    row: dict[str, Any] = {
        "id": run.paper.id,
        "vorlagen_nr": run.paper.vorlagen_nr,
        "betreff": run.paper.betreff,
        "system": run.system,
        "seconds": round(run.seconds, 3),
        "error": run.error,
    }
    draft = run.draft
    if draft is None:
        return row
    report = draft.validation or validate(draft)
    row.update(
        {
            "passed": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "rules_failed": sorted(error_rules(draft)),
            "rules_warned": sorted(warning_rules(draft)),
            "complete_and_clean": complete_and_clean(draft),
            "deciding_body": decides_correctly(draft),
            "ungrounded": ungrounded_count(draft),
            "chrf_beschlussvorschlag": round(
                chrf(draft.beschlussvorschlag, run.paper.beschlussvorschlag or ""), 4
            ),
            "chrf_sachdarstellung": round(
                chrf(draft.sachdarstellung, run.paper.sachdarstellung or ""), 4
            ),
            "fact_coverage": _rounded(fact_coverage(draft)),
            "copied_share": _rounded(copied_share(draft)),
            "topic_warning": topic_warning(draft),
            "citations": len(draft.citations),
        }
    )
    return row
