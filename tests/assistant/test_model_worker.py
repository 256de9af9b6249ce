"""The model worker's supervision logic with stand-in processes (fast), and the installed
llama.cpp build (fast: its feature list, no model is loaded).

The real worker with the real model is tested in ``test_bundled_model.py``.
"""

from __future__ import annotations

import platform
import stat
import time
from pathlib import Path

import pytest

from assistant.model_worker import ModelWorker, WorkerInfo, WorkerSettings
from assistant.ports import LLMError


def _fake_python(tmp_path: Path, body: str) -> str:
    """An executable standing in for the Python that would run the worker module."""
    script = tmp_path / "fake-python"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "modell.gguf"
    path.write_bytes(b"GGUF")
    return path


def _worker_dirs() -> set[str]:
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("vorlagen-worker-*")}


def test_a_worker_dying_at_start_is_one_german_sentence(tmp_path: Path, gguf: Path) -> None:
    before = _worker_dirs()
    worker = ModelWorker(lambda: gguf, python=_fake_python(tmp_path, "exit 5"))
    with pytest.raises(LLMError) as caught:
        worker.ensure_running()
    message = str(caught.value)
    assert message.startswith("Das Sprachmodell konnte nicht gestartet werden")
    assert "Exit-Code 5" in message and "\n" not in message
    assert not worker.alive() and worker.starts == 1
    assert _worker_dirs() == before  # the private config with the key is gone


def test_a_cpu_without_avx2_is_named(tmp_path: Path, gguf: Path) -> None:
    worker = ModelWorker(lambda: gguf, python=_fake_python(tmp_path, "exit 3"))
    with pytest.raises(LLMError, match="kein AVX2"):
        worker.ensure_running()


def test_a_stopped_worker_is_not_restarted_in_the_background(tmp_path: Path, gguf: Path) -> None:
    worker = ModelWorker(lambda: gguf, python=_fake_python(tmp_path, "exit 1"))
    worker.stop()
    worker.restart_in_background()
    time.sleep(1.0)
    assert worker.starts == 0


def test_a_worker_that_never_answers_is_stopped_after_the_start_timeout(
    tmp_path: Path, gguf: Path
) -> None:
    worker = ModelWorker(
        lambda: gguf,
        WorkerSettings(start_timeout_s=1.0),
        python=_fake_python(tmp_path, "echo PORT 9; echo SYSTEM CPU : AVX2 = 1; exec sleep 60"),
    )
    with pytest.raises(LLMError, match="antwortet nicht"):
        worker.ensure_running()
    assert not worker.alive()


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    worker = ModelWorker(lambda: tmp_path / "fehlt.gguf")
    with pytest.raises(LLMError, match=r"fehlt\.gguf wurde nicht gefunden"):
        worker.ensure_running()
    assert worker.starts == 0


def test_the_config_is_private_and_the_key_random(tmp_path: Path, gguf: Path) -> None:
    """The stand-in copies its config file's mode and content where the test can see them."""
    seen = tmp_path / "seen"
    python = _fake_python(
        tmp_path, f'stat -c %a "$4" > {seen}.mode; cat "$4" > {seen}.json; exit 1'
    )
    keys = set()
    for _ in range(2):
        worker = ModelWorker(lambda: gguf, python=python)
        with pytest.raises(LLMError):
            worker.ensure_running()
        keys.add(worker.api_key)
        assert (tmp_path / "seen.mode").read_text().strip() == "600"
        config = (tmp_path / "seen.json").read_text()
        assert worker.api_key in config and '"host": "127.0.0.1"' in config
        assert '"interrupt_requests": false' in config
    assert len(keys) == 2 and all(len(k) >= 32 for k in keys)


def test_cpu_features_are_read_from_the_system_info() -> None:
    info = WorkerInfo(
        1, "http://127.0.0.1:1/v1", "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 0 | REPACK = 1 | ", 1.0
    )
    assert info.cpu_features() == ["SSE3", "AVX2", "REPACK"]


def test_the_installed_llama_cpp_build_is_portable() -> None:
    """scripts/install-llama-cpp.sh builds without -march=native: on x86-64 three CPU backend
    variants (AVX2, AVX-512, AVX-512 VNNI), none with AMX; llama.cpp loads the best one for
    this CPU, with its weight repacking (docs/models.md)."""
    import llama_cpp

    from assistant.llama_backends import cpu_variants, load_cpu_backend

    if platform.machine() in {"x86_64", "AMD64"}:
        assert cpu_variants() == ["haswell", "icelake", "skylakex"]
    load_cpu_backend()
    text = llama_cpp.llama_print_system_info().decode()
    features = WorkerInfo(0, "", text, 0).cpu_features()
    assert not [f for f in features if f.startswith("AMX")], text
    assert "REPACK" in features, text
    if platform.machine() in {"x86_64", "AMD64"}:
        assert {"AVX2", "FMA", "F16C"} <= set(features), text
        flags = Path("/proc/cpuinfo").read_text().split()
        if {"avx512f", "avx512_vnni", "avx512vbmi"} <= set(flags):
            assert {"AVX512", "AVX512_VNNI"} <= set(features), text  # the icelake variant


def test_the_variant_list_is_reduced_and_installed(tmp_path: Path) -> None:
    """The build script's patch of llama.cpp's CMake files, on a miniature of them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "llama_cpu_variants", Path(__file__).parents[2] / "scripts" / "llama_cpu_variants.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ggml = (
        "if (GGML_CPU_ALL_VARIANTS)\n"
        '    if (GGML_SYSTEM_ARCH STREQUAL "x86")\n'
        "        ggml_add_cpu_backend_variant(x64)\n"
        "        ggml_add_cpu_backend_variant(haswell SSE42 AVX F16C FMA AVX2 BMI2)\n"
        "        if (NOT MSVC)\n"
        "            ggml_add_cpu_backend_variant(sapphirerapids AVX512 AMX_TILE AMX_INT8)\n"
        "        endif()\n"
        '    elseif(GGML_SYSTEM_ARCH STREQUAL "ARM")\n'
        "        ggml_add_cpu_backend_variant(armv8.0_1)\n"
    )
    reduced = module.reduce_variants(ggml, {"haswell"})
    assert "AMX" not in reduced and "x64" not in reduced and "armv8.0_1" in reduced
    assert "ggml_add_cpu_backend_variant(haswell SSE42 AVX F16C FMA AVX2 BMI2)" in reduced
    with pytest.raises(SystemExit):
        module.reduce_variants(ggml, {"zen9"})
    top = "    llama_cpp_python_install_target(ggml-cpu)\n"
    assert "install_target(ggml-cpu-haswell)" in module.install_variants(top, ["haswell"])


def test_worker_lines_are_read_from_a_descriptor_above_1024() -> None:
    """The CI run failed with "filedescriptor out of range in select()": after a long test
    session the worker's pipe got a descriptor number over 1024, which ``select`` refuses."""
    import os
    import resource

    from assistant.model_worker import _Lines

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1100:
        if hard != resource.RLIM_INFINITY and hard < 1100:
            pytest.skip(f"the descriptor limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1100, hard))
    read_end, write_end = os.pipe()
    high_read, high_write = os.dup2(read_end, 1050), os.dup2(write_end, 1051)
    os.close(read_end)
    os.close(write_end)
    try:
        lines = _Lines(high_read)
        assert lines.next(0.05) is None  # nothing written yet: waits, then gives up
        os.write(high_write, b"PORT 1234\nREADY\n")
        assert lines.next(1.0) == "PORT 1234" and lines.next(1.0) == "READY"
        os.close(high_write)
        assert lines.next(1.0) is None and lines.closed
    finally:
        os.close(high_read)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
