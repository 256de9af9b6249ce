"""``vorlagen summarize`` end to end in a subprocess, against a fake OpenAI-compatible model
server: the files it writes, skipping what is done, resuming after kill -9, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.summary_schema import SummaryRecord
from tests.api.test_cli import command, run
from tests.assistant.test_llm import chat_server, completion
from tests.summaries.fakes import _schema_name, fake_answer, fake_model_server


def model_env(url: str, tmp: Path) -> dict[str, str]:
    return {
        "VORLAGEN_LLM__BACKEND": "openai",
        "VORLAGEN_LLM__BASE_URL": url,
        "VORLAGEN_LLM__MODEL": "fake",
        "VORLAGEN_LLM__TIMEOUT_S": "30",
        "VORLAGEN_DATA_DIR": str(tmp / "data"),
    }


def records(out: Path) -> list[SummaryRecord]:
    lines = (out / "summaries.jsonl").read_text(encoding="utf-8").splitlines()
    return [SummaryRecord.model_validate_json(line) for line in lines]


@pytest.fixture
def papers(seeds_dir: Path, karlsruhe_dir: Path, tmp_path: Path) -> Path:
    """5 seeds and 7 Karlsruhe papers (as text) in one directory: 12 documents."""
    folder = tmp_path / "archiv"
    folder.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    texts = sorted((karlsruhe_dir / "file-contents").glob("*.txt"))[:7]
    for text in texts:
        (folder / f"ka-{text.name}").write_bytes(text.read_bytes())
    return folder


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []

    def reply(body: dict[str, object]) -> tuple[int, dict[str, object]]:
        return 200, completion(fake_answer(_schema_name(body), body["messages"]))  # type: ignore[arg-type]

    with chat_server(reply, seen) as url:
        yield url, seen


def test_summaries_csv_and_report_then_nothing_again(
    papers: Path, tmp_path: Path, counting_server: tuple[str, list[dict[str, object]]]
) -> None:
    url, seen = counting_server
    out = tmp_path / "out"
    done = run("summarize", papers, "--out", out, cwd=tmp_path, env=model_env(url, tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Restzeit" in done.stderr
    found = records(out)
    assert len(found) == 12 and len({r.source for r in found}) == 12
    assert all(r.status in ("ok", "befunde") and r.prompt_version and r.content_hash for r in found)
    assert all(r.model == f"openai:fake@{url}" for r in found)
    assert all(r.status == "ok" for r in found), [r.findings for r in found if r.status != "ok"]
    csv_lines = (out / "summaries.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == 13 and csv_lines[0].startswith("quelle,vorlage_id,status")
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Nicht oder nur teilweise zusammengefasst" in report and "Vorlagen je Jahr" in report
    calls = len(seen)
    assert calls >= 12
    again = run("summarize", papers, "--out", out, cwd=tmp_path, env=model_env(url, tmp_path))
    assert again.returncode == 0, again.stderr
    assert len(seen) == calls, "a second run makes no model call"
    assert "12 schon erledigt" in again.stdout and "0 Modellaufrufe" in again.stdout
    assert len(records(out)) == 12


def test_a_run_killed_half_way_continues_without_duplicates(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with fake_model_server(delay_s=0.4) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VORLAGEN_")}
        env.update(
            model_env(url, tmp_path) | {"PYTHONPATH": str(Path.cwd()), "HOME": str(tmp_path)}
        )
        process = subprocess.Popen(
            [*command(), "summarize", str(papers), "--out", str(out)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        jsonl = out / "summaries.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if jsonl.exists() and len(jsonl.read_bytes().splitlines()) >= 4:
                break
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        before = len(records(out))
        assert 4 <= before < 12
        with jsonl.open("ab") as handle:  # a torn last line, as a kill during a write leaves
            handle.write(b'{"format": "vorlagen-summary/1", "source": "/x", "cont')
        again = run("summarize", papers, "--out", out, cwd=tmp_path, env=model_env(url, tmp_path))
    assert again.returncode == 0, again.stderr
    assert f"{before} schon erledigt" in again.stdout
    found = records(out)
    assert len(found) == 12 and len({r.source for r in found}) == 12


def test_a_failing_document_is_reported_and_the_run_goes_on(papers: Path, tmp_path: Path) -> None:
    def reply(body: dict[str, object]) -> tuple[int, dict[str, object]]:
        if "Aktionsplan" in json.dumps(body, ensure_ascii=False):
            return 500, {"error": {"message": "kaputt"}}
        return 200, completion(fake_answer(_schema_name(body), body["messages"]))  # type: ignore[arg-type]

    out = tmp_path / "out"
    with chat_server(reply) as url:
        done = run("summarize", papers, "--out", out, cwd=tmp_path, env=model_env(url, tmp_path))
    assert done.returncode == 1
    found = records(out)
    failed = [r for r in found if r.status == "fehlgeschlagen"]
    assert len(found) == 12 and len(failed) == 1
    assert failed[0].reason and "Modellserver" in failed[0].reason
    assert failed[0].source in done.stderr and "Traceback" not in done.stderr
    report = (out / "report.html").read_text(encoding="utf-8")
    assert failed[0].reason.split(":")[0] in report


def test_limit_since_and_missing_paths(
    papers: Path, tmp_path: Path, counting_server: tuple[str, list[dict[str, object]]]
) -> None:
    url, _ = counting_server
    out = tmp_path / "out"
    env = model_env(url, tmp_path)
    missing = tmp_path / "gibt-es-nicht.txt"
    done = run("summarize", papers, missing, "--out", out, "--limit", "3", cwd=tmp_path, env=env)
    found = {r.source: r for r in records(out)}
    assert done.returncode == 1  # the missing path
    assert sum(r.summarised for r in found.values()) == 3
    assert "nicht gefunden" in (found[str(missing)].reason or "")
    limited = [r for r in found.values() if r.reason and "--limit" in r.reason]
    assert len(limited) == 9
    since = run("summarize", papers, "--out", out, "--since", "2030-01-01", cwd=tmp_path, env=env)
    assert since.returncode == 0, since.stderr
    after = records(out)
    assert sum(r.summarised for r in after) == 3
    assert sum(1 for r in after if r.reason and "--since" in r.reason) == 9


def test_wrong_calls_are_one_german_sentence(tmp_path: Path) -> None:
    for args in (["x"], ["x", "--out", "o", "--engine", "spark"], ["--out", "o"]):
        done = run("summarize", *args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and done.stderr.strip().endswith(".")
