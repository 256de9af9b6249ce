"""How long `vorlagen konzept stand` takes, against reading the records alone (same run).

The three Karlsruhe concepts and the Karlsruhe papers dated from ``--since`` (default
2018-08-01: 592 papers) are parsed and kept in a temporary ``JsonVorlageRecords`` directory,
as an ingest keeps them. Then, ``--runs`` times each (median reported):

* baseline: reading every record of the directory (what any stand must do);
* stand: ``konzept_stand`` for the 2018 Fortschreibung (77 measures, 7 Handlungsfelder), which
  reads the records too and applies the link rules (docs/konzepte.md).

Also printed: the concept recognition over every Karlsruhe text (``looks_like_konzept``: how
many are taken for a concept, and the time). Usage: ``python bench/konzept_stand.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.usecases.konzept_stand import konzept_stand
from ingest.konzept import looks_like_konzept, parse_konzept
from ingest.parse import parse_path
from ingest.sources.formats import ParseOptions, load
from vectorstore.records import JsonVorlageRecords

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus"
CONCEPTS = ("38219.txt", "604715.txt", "656345.txt")


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--since", default="2018-08-01")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    papers = sorted((CORPUS / "karlsruhe-oparl/papers").glob("*.json"))
    recent = [p for p in papers if (json.loads(p.read_bytes()).get("date") or "") >= args.since]
    concept_dir = CORPUS / "integrationskonzepte/karlsruhe"
    concepts = [parse_konzept(load(concept_dir / n, ParseOptions())) for n in CONCEPTS]
    documents = [*concepts, *(parse_path(p) for p in recent)]
    with tempfile.TemporaryDirectory() as tmp:
        records = JsonVorlageRecords(Path(tmp))
        for document in documents:
            records.put(document)
        ids = [d.id for d in documents]
        baseline = median_seconds(lambda: [records.get(i) for i in ids], args.runs)
        stand = median_seconds(
            lambda: konzept_stand(records, ids, "Fortschreibung Karlsruher"), args.runs
        )
    texts = sorted((CORPUS / "karlsruhe-oparl/file-contents").glob("*.txt"))
    start = time.perf_counter()
    taken = sum(looks_like_konzept(t.read_text(encoding="utf-8")) for t in texts)
    recognition = time.perf_counter() - start
    print(f"records: {len(documents)} ({len(recent)} Vorlagen since {args.since}, 3 concepts)")
    print(f"reading the records (baseline): {baseline:.2f} s")
    print(f"konzept stand (2018 concept):   {stand:.2f} s  ({stand / baseline:.1f} x the baseline)")
    print(f"recognition: {taken} of {len(texts)} Karlsruhe texts taken for a concept,")
    print(f"  {recognition:.2f} s for all, reading included")


if __name__ == "__main__":
    main()
