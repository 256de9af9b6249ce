"""Acceptance on the Karlsruhe OParl corpus (slow): the parsing thresholds of the project.

The checks and their strict definitions live in ``tests/ingest/corpus_checks.py``;
``bench/eval_parsing.py`` prints the same figures with the failures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.parse import parse_path
from tests.ingest.corpus_checks import THRESHOLDS, PaperResult, Summary, evaluate, summarize

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(karlsruhe_dir: Path) -> list[PaperResult]:
    paths = sorted((karlsruhe_dir / "papers").glob("*.json"))
    assert len(paths) >= 1000
    out: list[PaperResult] = []
    for path in paths:
        try:
            out.append(evaluate(parse_path(path), str(path)))
        except IngestError as err:
            out.append(PaperResult(path=str(path), reasons=[f"nicht lesbar: {err}"]))
    return out


@pytest.fixture(scope="module")
def summary(results: list[PaperResult]) -> Summary:
    return summarize(results)


def _failures(results: list[PaperResult], attr: str) -> str:
    bad = [r for r in results if not getattr(r, attr)]
    return "\n".join(f"{Path(r.path).name}: {'; '.join(r.reasons[:3])}" for r in bad[:15])


def test_beschlussvorschlag_found_and_bounded(results: list[PaperResult], summary: Summary) -> None:
    threshold = THRESHOLDS["beschlussvorschlag"]
    assert summary.resolution_bounded >= threshold, _failures(results, "resolution_bounded")


def test_sachdarstellung_found_and_bounded(results: list[PaperResult], summary: Summary) -> None:
    threshold = THRESHOLDS["sachdarstellung"]
    assert summary.facts_bounded >= threshold, _failures(results, "facts_bounded")


def test_beratungsfolge_with_dates(results: list[PaperResult], summary: Summary) -> None:
    threshold = THRESHOLDS["beratungsfolge"]
    assert summary.beratungsfolge_dated >= threshold, _failures(results, "beratungsfolge_dated")
