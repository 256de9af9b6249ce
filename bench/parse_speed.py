"""Parse speed on the Karlsruhe OParl corpus, on one core, in one process.

Three passes over the same documents:

* baseline: read each Paper JSON and its Vorlage text and decode the JSON (pure I/O + json);
* oparl: ``ingest.parse.parse_path`` on each ``papers/*.json`` (the OParl path);
* text: ``parse_path`` on each Vorlage text ``file-contents/*.txt`` (the plain-text path);
* fallback: ``parse_path`` on the Nordstemmen texts (``corpus/nordstemmen-sdnet``, read by the
  generic fallback: alias dictionary, headings by form, flattened tables), ten times each.

For each pass: wall and CPU time, documents per second (by wall time and by CPU time: the
machine is shared, CPU seconds show the cost on one core), median and p95 milliseconds per
document, and the cost relative to the baseline. Target (issue 14): at least 200 documents/s
per path on one core.

Usage: ``python bench/parse_speed.py [--limit N] [--shared DIR]``; the shared data directory
defaults to ``$VORLAGEN_SHARED``, else ``../shared`` beside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.errors import IngestError  # noqa: E402
from ingest.parse import parse_path  # noqa: E402

TARGET_DOCS_PER_S = 200.0
FALLBACK_REPEAT = 10


@dataclass
class Result:
    name: str
    wall_s: float
    cpu_s: float
    per_doc_ms: list[float]
    failures: int

    @property
    def docs(self) -> int:
        return len(self.per_doc_ms)

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.wall_s if self.wall_s else float("inf")

    @property
    def docs_per_cpu_s(self) -> float:
        return self.docs / self.cpu_s if self.cpu_s else float("inf")

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.per_doc_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def measure(name: str, paths: list[Path], work: Callable[[Path], object]) -> Result:
    per_doc: list[float] = []
    failures = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for path in paths:
        t0 = time.perf_counter()
        try:
            work(path)
        except IngestError:
            failures += 1
        per_doc.append((time.perf_counter() - t0) * 1000)
    return Result(name, time.perf_counter() - wall0, time.process_time() - cpu0, per_doc, failures)


def text_of_paper(paper: Path) -> Path | None:
    """The Vorlage text belonging to a Paper: the one auxiliary file with a text file."""
    contents = paper.parent.parent / "file-contents"
    for aux in json.loads(paper.read_bytes()).get("auxiliaryFile", []):
        candidate = contents / (str(aux.get("id", "")).rsplit("/", 1)[-1] + ".txt")
        if candidate.is_file():
            return candidate
    return None


def read_baseline(paper: Path) -> object:
    data = json.loads(paper.read_bytes())
    text = text_of_paper(paper)
    return data, text.read_text(encoding="utf-8") if text else ""


def default_shared() -> Path:
    env = os.environ.get("VORLAGEN_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def report(result: Result, baseline: Result) -> str:
    ratio = result.wall_s / baseline.wall_s if baseline.wall_s else float("inf")
    verdict = ""
    if result is not baseline:
        verdict = "  OK" if result.docs_per_cpu_s >= TARGET_DOCS_PER_S else "  SLOW"
    return (
        f"{result.name:<9}{result.docs:>6}{result.failures:>6}{result.wall_s:>9.2f}"
        f"{result.cpu_s:>9.2f}{result.docs_per_s:>10.1f}{result.docs_per_cpu_s:>10.1f}"
        f"{statistics.median(result.per_doc_ms):>9.2f}"
        f"{result.percentile_ms(0.95):>9.2f}{ratio:>9.1f}x{verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=default_shared())
    parser.add_argument("--limit", type=int, default=0, help="only the first N papers")
    args = parser.parse_args()
    papers_dir = args.shared / "corpus" / "karlsruhe-oparl" / "papers"
    papers = sorted(papers_dir.glob("*.json"))
    if args.limit:
        papers = papers[: args.limit]
    if not papers:
        print(f"no papers found in {papers_dir}", file=sys.stderr)
        return 1
    texts = [t for t in map(text_of_paper, papers) if t is not None]

    parse_path(papers[0])  # warm-up: imports and compiled regexes are not per-document cost
    baseline = measure("baseline", papers, read_baseline)
    oparl = measure("oparl", papers, parse_path)
    text = measure("text", texts, parse_path)
    nordstemmen = sorted((args.shared / "corpus" / "nordstemmen-sdnet").glob("*/*.txt"))
    fallback = measure("fallback", nordstemmen * FALLBACK_REPEAT, parse_path)

    print(f"Karlsruhe OParl corpus: {len(papers)} papers, {len(texts)} Vorlage texts, one core")
    print(
        f"{'pass':<9}{'docs':>6}{'fail':>6}{'wall s':>9}{'cpu s':>9}{'docs/s':>10}"
        f"{'docs/cpu-s':>11}{'med ms':>9}{'p95 ms':>9}{'vs I/O':>10}"
    )
    passes = [baseline, oparl, text] + ([fallback] if fallback.docs else [])
    for result in passes:
        print(report(result, baseline))
    print(f"target: >= {TARGET_DOCS_PER_S:.0f} docs per CPU second per parse path (one core)")
    slow = min(r.docs_per_cpu_s for r in passes[1:]) < TARGET_DOCS_PER_S
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
