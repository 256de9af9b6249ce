"""``vorlagen models``: the German status table of the chat models, and ``--testlauf`` (the
real bundled model in its worker process: marked llm; a broken model file: fast)."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from tests.api.test_cli import assert_one_german_sentence_per_failure, run


def test_models_shows_parts_and_an_unassembled_model(tmp_path: Path) -> None:
    done = run("models", cwd=tmp_path, env={"VORLAGEN_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Teilpakete gefunden" in out and "22/22" in out
    assert "Zusammengesetzt" in out and "nein" in out
    assert str(tmp_path / "data" / "models") in out.replace("\n", "")
    assert "--vorbereiten" in out
    assert "OpenAI-kompatibler Server" in out and "nicht konfiguriert" in out
    assert not (tmp_path / "data" / "models").exists()  # showing the status writes nothing


def test_models_shows_the_endpoint_but_never_the_key(tmp_path: Path) -> None:
    env = {
        "VORLAGEN_DATA_DIR": str(tmp_path / "data"),
        "VORLAGEN_LLM__BACKEND": "openai",
        "VORLAGEN_LLM__BASE_URL": "http://127.0.0.1:8001/v1",
        "VORLAGEN_LLM__MODEL": "qwen2.5-7b-instruct",
        "VORLAGEN_LLM__API_KEY": "sk-geheim-4711",
    }
    done = run("models", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "http://127.0.0.1:8001/v1 (aktiv)" in done.stdout
    assert "qwen2.5-7b-instruct" in done.stdout
    assert "gesetzt" in done.stdout
    assert "sk-geheim-4711" not in done.stdout + done.stderr


def test_an_incomplete_openai_configuration_is_a_usage_error(tmp_path: Path) -> None:
    env = {"VORLAGEN_LLM__BACKEND": "openai", "VORLAGEN_DATA_DIR": str(tmp_path)}
    done = run("models", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "llm" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.llm
def test_testlauf_generates_through_the_worker_and_shows_the_build(
    bundled_model_path: Path, tmp_path: Path
) -> None:
    env = {"VORLAGEN_DATA_DIR": str(tmp_path), "VORLAGEN_LLM__MODEL_PATH": str(bundled_model_path)}
    done = run("models", "--testlauf", cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for label in ("CPU-Befehlssätze", "Start und Laden", "Erstes Wort nach", "Token/s"):
        assert label in out, out
    if platform.machine() == "x86_64":
        assert "AVX2" in out and "AMX" not in out


def test_testlauf_with_a_broken_model_file_is_one_german_sentence(tmp_path: Path) -> None:
    broken = tmp_path / "kaputt.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    env = {"VORLAGEN_DATA_DIR": str(tmp_path), "VORLAGEN_LLM__MODEL_PATH": str(broken)}
    done = run("models", "--testlauf", cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 1
    assert "Testlauf ist gescheitert" in done.stderr
    assert_one_german_sentence_per_failure(done.stderr, 1)
