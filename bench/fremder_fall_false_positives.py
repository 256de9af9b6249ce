"""False positives of the rule ``fremder-fall`` on real human texts.

Every usable Karlsruhe paper (one a request can be built from) is checked as a draft of its own
request (``request_from_vorlage``), with the summary chunks of three other real papers as its
sources [1] to [3] and, as in any human text, no citation markers: every number, date or name
of a source that the request lacks counts. Two choices of sources:

* ``spread``: three papers a quarter of the corpus apart (other matters, other years);
* ``similar``: the three papers whose Betreff shares most words with the paper's (what
  retrieval finds on the same matter; facts shared with an earlier paper on the same plan or
  project are flagged by right: a draft would have to mark them with [n]).

Prints, per choice, the share of papers flagged, the findings per kind of token and the most
frequent tokens. The slow test in ``tests/assistant/test_validation_fremder_fall.py`` checks
every 10th paper with the same helpers.

Usage: ``python bench/fremder_fall_false_positives.py [--shared DIR] [--step N] [--top N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.schema import Vorlage  # noqa: E402
from assistant.validation import validate  # noqa: E402
from tests.assistant.test_validation_fremder_fall import (  # noqa: E402
    paper_draft,
    similar_sources,
    spread_sources,
    usable_papers,
)

CHOICES = {"spread": spread_sources, "similar": similar_sources}


def measure(papers: list[Vorlage], choice: str, step: int, top: int) -> None:
    pick = CHOICES[choice]
    started = time.perf_counter()
    sample = range(0, len(papers), step)
    flagged = 0
    kinds: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    for i in sample:
        errors = validate(paper_draft(papers, i, pick(papers, i)), rules=["fremder-fall"]).errors
        flagged += bool(errors)
        for f in errors:
            kind = f.message.split(" „", 1)[0]
            kinds[kind] += 1
            tokens[f"{kind} „{' '.join((f.token or '').split())}“"] += 1
    seconds = time.perf_counter() - started
    share = flagged / len(sample)
    print(f"\n{choice}: {flagged}/{len(sample)} papers flagged = {share:.1%} ", end="")
    print(f"({sum(kinds.values())} findings, {seconds:.0f} s)")
    for kind, count in kinds.most_common():
        print(f"  {count:4d}  {kind}")
    print("  most frequent tokens:")
    for token, count in tokens.most_common(top):
        print(f"  {count:4d}  {token}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(os.environ.get("VORLAGEN_SHARED", REPO.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=default, help="development data")
    parser.add_argument("--step", type=int, default=1, help="check every N-th paper")
    parser.add_argument("--top", type=int, default=15, help="tokens to list per choice")
    args = parser.parse_args()
    papers = usable_papers(args.shared.resolve() / "corpus" / "karlsruhe-oparl")
    print(f"{len(papers)} usable Karlsruhe papers, every {args.step}. checked")
    for choice in CHOICES:
        measure(papers, choice, args.step, args.top)


if __name__ == "__main__":
    main()
