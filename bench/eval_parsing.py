"""Parsing quality on the Karlsruhe OParl corpus: sections found and correctly bounded.

Parses every ``papers/*.json`` of the corpus with ``ingest.parse.parse_path`` and applies the
checks of ``tests/ingest/corpus_checks.py`` (the definitions of "found" and "correctly
bounded" are in that module's docstring; the slow test ``tests/ingest/test_karlsruhe_corpus.py``
uses the same functions). Prints found-rate and bounded-rate of Beschlussvorschlag and
Sachdarstellung, the share of papers whose Beratungsfolge has steps that all carry a date,
papers per second (parsing only, one core), and the failures with their reasons.

Usage::

    .venv/bin/python bench/eval_parsing.py [--corpus DIR] [--show-failures N] [--limit N]

The corpus defaults to ``$VORLAGEN_SHARED/corpus/karlsruhe-oparl``, else
``../shared/corpus/karlsruhe-oparl`` beside the repository. Exit code 1 when a threshold
(``THRESHOLDS``) is missed.

Spot check by hand (30 papers, one or two per year 2005-2026, ``random.Random(20240611)``;
the document text around each section's first and last line read next to the parse):

* Beschlussvorschlag: all 30 start on the first line after their heading ("Antrag an den
  Gemeinderat" after "Beschluss:", "Beschlussantrag", "Kurzfassung", "Beschluss:"), and end
  before "Hauptamt - Ratsangelegenheiten -" / the office's "II. Auf die Tagesordnung ...",
  the finance form, or the document end. Papers with a final "Beschluss:" give the full text
  (e.g. 33268 "1.1 Die Besetzung ..."), the others the page-1 Beschlussantrag (35383, 37582).
* Sachdarstellung: all 30 start on the first line after "Ergänzende Erläuterungen Seite 2"
  (the form's version stamp "Januar 2011" skipped, 27278), "Erläuterungen", "Vorbemerkung", or
  after the last form answer (41695, 47554). 24 end before "Beschluss:" / "Antrag an ..." /
  "Beschlussvorschlag an den Ortschaftsrat:", "Anlagen" or "Erläuterungen zu finanziellen
  Auswirkungen" (6 of them with the dropped page header in between), 4 at the document end,
  2 at a finance sub-heading inside the text ("Finanzielle Auswirkungen:" 27278, "Kosten und
  Finanzierung" 41695: the text after it goes to ``finanzielle_auswirkungen``, so the facts
  lack their last part there). No page header, form line or signature inside any of them.
* Beratungsfolge: 30/30 with dates; bodies, dates and results match the tables; "X" marks
  under "ö nö" leave ``oeffentlich`` empty (the column cannot be told after text extraction).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.errors import IngestError  # noqa: E402
from ingest.parse import parse_path  # noqa: E402
from tests.ingest.corpus_checks import (  # noqa: E402
    THRESHOLDS,
    PaperResult,
    Summary,
    evaluate,
    summarize,
)


def default_corpus() -> Path:
    shared = os.environ.get("VORLAGEN_SHARED")
    base = Path(shared) if shared else REPO.parent / "shared"
    return base / "corpus" / "karlsruhe-oparl"


def run(corpus: Path, limit: int | None = None) -> tuple[list[PaperResult], float]:
    """Parse and check every paper; returns the results and the parsing seconds."""
    paths = sorted((corpus / "papers").glob("*.json"))[:limit]
    results: list[PaperResult] = []
    parse_s = 0.0
    for path in paths:
        start = time.perf_counter()
        try:
            vorlage = parse_path(path)
        except IngestError as err:
            parse_s += time.perf_counter() - start
            results.append(PaperResult(path=str(path), reasons=[f"nicht lesbar: {err}"]))
            continue
        parse_s += time.perf_counter() - start
        results.append(evaluate(vorlage, str(path)))
    return results, parse_s


def report(summary: Summary, parse_s: float) -> list[str]:
    """The summary lines; thresholds missed are marked."""
    rate = summary.papers / parse_s if parse_s else float("inf")
    lines = [
        f"papers: {summary.papers}",
        f"beschlussvorschlag  found {summary.resolution_found:7.2%}"
        f"   bounded {summary.resolution_bounded:7.2%}",
        f"sachdarstellung     found {summary.facts_found:7.2%}"
        f"   bounded {summary.facts_bounded:7.2%}",
        f"beratungsfolge with dates on every step: {summary.beratungsfolge_dated:7.2%}",
        f"speed: {rate:.1f} papers/s ({parse_s:.2f} s parsing)",
    ]
    for key, threshold in THRESHOLDS.items():
        got = summary.rate(key)
        mark = "ok" if got >= threshold else "MISSED"
        lines.append(f"threshold {key}: {got:.2%} >= {threshold:.0%}  {mark}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--show-failures", type=int, default=20, metavar="N")
    parser.add_argument("--limit", type=int, default=None, metavar="N")
    args = parser.parse_args(argv)
    if not (args.corpus / "papers").is_dir():
        print(f"Kein Korpus unter {args.corpus} (erwartet: papers/*.json).", file=sys.stderr)
        return 2
    results, parse_s = run(args.corpus, args.limit)
    summary = summarize(results)
    failures = [r for r in results if r.reasons]
    print(f"failures ({len(failures)} papers, first {args.show_failures}):")
    for r in failures[: args.show_failures]:
        print(f"  {Path(r.path).name}")
        for reason in r.reasons[:6]:
            print(f"      {reason}")
    print("\n".join(report(summary, parse_s)))
    missed = any(summary.rate(k) < t for k, t in THRESHOLDS.items())
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
