"""The figures per system (:func:`summarise`) and the per-draft row of ``--json``
(:func:`run_row`), from the :class:`~assistant.eval.runs.PaperRun` records of a run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.eval.metrics import chrf, corpus_chrf, decides_correctly, ungrounded_count
from assistant.eval.runs import PaperRun
from assistant.schema import Draft
from assistant.validation import validate

__all__ = ["SystemSummary", "run_row", "summarise"]


def _passed(draft: Draft) -> bool:
    return (draft.validation or validate(draft)).ok


def _share(count: float, total: int) -> float | None:
    return count / total if total else None


@dataclass(frozen=True)
class SystemSummary:
    """The figures of one system over all papers (``None``: no finished draft)."""

    system: str
    drafts: int
    failed: int
    passed: float | None
    deciding_body: float | None
    ungrounded_mean: float | None
    ungrounded_in_passing: int
    chrf_beschlussvorschlag: float | None
    chrf_sachdarstellung: float | None
    seconds_mean: float | None
    seconds_max: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in asdict(self).items()
        }


def summarise(runs: Sequence[PaperRun]) -> list[SystemSummary]:
    """Figures per system, in the order the systems first occur in ``runs``.

    Over the finished drafts of a system (failed runs are only counted): the share that passes
    validation, the share with the right deciding body (:func:`decides_correctly`), the mean
    number of ungrounded tokens (:func:`ungrounded_count`) and their total in drafts that pass,
    corpus-level chrF of the Beschlussvorschlag and of the Sachdarstellung against the paper's
    own (:func:`corpus_chrf`), and the mean and maximum seconds per draft.
    """
    by_system: dict[str, list[PaperRun]] = {}
    for run in runs:
        by_system.setdefault(run.system, []).append(run)
    out: list[SystemSummary] = []
    for system, own in by_system.items():
        done = [(run, run.draft) for run in own if run.draft is not None]
        drafts = [draft for _, draft in done]
        seconds = [run.seconds for run, _ in done]
        ungrounded = [ungrounded_count(draft) for draft in drafts]
        out.append(
            SystemSummary(
                system=system,
                drafts=len(drafts),
                failed=len(own) - len(drafts),
                passed=_share(sum(_passed(d) for d in drafts), len(drafts)),
                deciding_body=_share(sum(decides_correctly(d) for d in drafts), len(drafts)),
                ungrounded_mean=_share(sum(ungrounded), len(drafts)),
                ungrounded_in_passing=sum(
                    n for n, d in zip(ungrounded, drafts, strict=True) if _passed(d)
                ),
                chrf_beschlussvorschlag=corpus_chrf(
                    [(d.beschlussvorschlag, r.paper.beschlussvorschlag or "") for r, d in done]
                ),
                chrf_sachdarstellung=corpus_chrf(
                    [(d.sachdarstellung, r.paper.sachdarstellung or "") for r, d in done]
                ),
                seconds_mean=_share(math.fsum(seconds), len(seconds)),
                seconds_max=max(seconds) if seconds else None,
            )
        )
    return out


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
            "rules_failed": sorted({f.rule for f in report.errors}),
            "deciding_body": decides_correctly(draft),
            "ungrounded": ungrounded_count(draft),
            "chrf_beschlussvorschlag": round(
                chrf(draft.beschlussvorschlag, run.paper.beschlussvorschlag or ""), 4
            ),
            "chrf_sachdarstellung": round(
                chrf(draft.sachdarstellung, run.paper.sachdarstellung or ""), 4
            ),
            "citations": len(draft.citations),
        }
    )
    return row
