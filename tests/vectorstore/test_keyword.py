"""The German BM25 index beyond the shared contract: analysis, atomic saves, damaged files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.ports import BackendError
from tests.vectorstore.helpers import make_chunk, sample_chunks
from vectorstore.keyword import FILE_NAME, BM25Index, GermanAnalyzer

REPO = Path(__file__).resolve().parents[2]


def test_analyzer_stems_folds_and_drops_stopwords() -> None:
    analyze = GermanAnalyzer()
    assert analyze("Integrationskonzeptes") == analyze("Integrationskonzept")
    assert analyze("Maßnahmen") == analyze("Massnahme")
    assert analyze("Kindertagesstätten") == analyze("Kindertagesstätte")
    assert analyze("Kita-Neubau") == analyze("Kita") + analyze("Neubau")
    assert analyze("der die das und für über") == []
    assert analyze("BV/2023/162") == ["bv", "2023", "162"]


def test_analyzer_takes_a_compound_splitter() -> None:
    parts = {"kindertagesstätte": ["Kinder", "Tagesstätte"]}
    analyze = GermanAnalyzer(splitter=lambda word: parts.get(word, []))
    plain = GermanAnalyzer()
    assert analyze("Kindertagesstätte") == plain("Kindertagesstätte Kinder Tagesstätte")


def test_inflected_query_finds_the_chunk(tmp_path: Path) -> None:
    index = BM25Index(tmp_path)
    index.upsert(sample_chunks())
    hits = index.query("Integrationskonzepte fortschreiben", k=3)
    assert hits[0].chunk.id == "a1:betreff:0"
    assert index.query("Maßnahme Kosten", k=1)[0].chunk.id == "a1:sachdarstellung:1"


def test_a_query_of_stopwords_or_unknown_words_finds_nothing(tmp_path: Path) -> None:
    index = BM25Index(tmp_path)
    index.upsert(sample_chunks())
    assert index.query("und oder aber", k=5) == []
    assert index.query("Xylophonorchester", k=5) == []


def test_changes_are_durable_only_after_persist(tmp_path: Path) -> None:
    index = BM25Index(tmp_path)
    index.upsert(sample_chunks()[:2])
    index.persist()
    index.upsert(sample_chunks()[2:])
    assert index.count() == 8
    assert BM25Index(tmp_path).count() == 2


def test_a_failed_save_leaves_the_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = BM25Index(tmp_path)
    index.upsert(sample_chunks()[:3])
    index.persist()
    index.upsert(sample_chunks()[3:])

    def broken_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("vectorstore.keyword.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        index.persist()
    monkeypatch.undo()
    assert BM25Index(tmp_path).count() == 3
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temp file left


def test_a_stale_temp_file_is_ignored_and_cleaned(tmp_path: Path) -> None:
    (tmp_path / f".{FILE_NAME}.abc.tmp").write_text("half a fi", encoding="utf-8")
    index = BM25Index(tmp_path)
    assert index.count() == 0
    index.upsert(sample_chunks())
    index.persist()
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\n".join(text.splitlines()[:-1]) + "\n",  # a line missing
        lambda text: text.replace("vorlagen-keyword-index", "something-else"),
        lambda text: text.replace('"version": 1', '"version": 99'),
        lambda text: "",
    ],
    ids=["truncated", "line-missing", "foreign-format", "future-version", "empty"],
)
def test_a_damaged_file_is_a_clear_error(tmp_path: Path, damage: Callable[[str], str]) -> None:
    index = BM25Index(tmp_path)
    index.upsert(sample_chunks())
    index.persist()
    path = tmp_path / FILE_NAME
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(BackendError, match=r"beschädigt.*neu aufbauen"):
        BM25Index(tmp_path).warm_up()


def test_unchanged_upsert_does_not_rebuild(tmp_path: Path) -> None:
    index = BM25Index(tmp_path)
    index.upsert(sample_chunks())
    index.warm_up()
    built = index._built
    index.upsert(sample_chunks())
    assert index._built is built
    index.upsert([make_chunk("z9", "sachdarstellung", 0, "Neuer Text")])
    assert index._built is None


WRITER = textwrap.dedent(
    """
    import sys
    from tests.vectorstore.helpers import make_chunk
    from vectorstore.keyword import BM25Index

    index = BM25Index(sys.argv[1])
    generation = 0
    while True:
        generation += 1
        size = 500 + generation % 7
        index.reset()
        index.upsert([
            make_chunk(f"v{i}", "sachdarstellung", 0, f"Vorlage {generation} " + "Text " * 400)
            for i in range(size)
        ])
        index.persist()
        print(generation, flush=True)
    """
)


@pytest.mark.slow
def test_sigkill_during_saves_never_leaves_a_broken_index(tmp_path: Path) -> None:
    """A real writer process, killed with SIGKILL at arbitrary moments while it saves."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    valid_sizes = {500 + g % 7 for g in range(7)}
    for delay in (0.9, 1.2, 1.5, 1.8):
        process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (tmp_path / FILE_NAME).exists():
            assert BM25Index(tmp_path).count() in valid_sizes
    assert (tmp_path / FILE_NAME).exists(), "the writer never finished one save: raise the delays"
