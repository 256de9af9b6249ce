"""``POST /api/ingest`` with the real store of ``tests/api/test_app.py`` (Chroma and BM25 in a
temp directory, the bundled embedder) and real keys: who may upload, what the answer says,
and that an uploaded nichtöffentliche Vorlage stays hidden from a key without the right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.auth import new_api_key
from api.routes.ingest import MAX_FILES, safe_name
from tests.api.test_app import Server, _server, store_dir  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # a real store with the bundled embedder

SEED = "000_f4c24dcc807afdc1.txt"  # "Fortgeschriebenes Integrationskonzept 2023 - 2026"
SEED_BETREFF = "Fortgeschriebenes Integrationskonzept 2023 - 2026"
CANARY = "Zaunkönig Sonderprojekt Kellergewölbe Südweststadt"
CANARY_NR = "BV/2099/0777"
RIGHTS = {"leser": [], "vertraulich": ["nichtoeffentlich"], "einleser": ["ingest"]}


def _keyed(store_dir: Path, tmp_path: Path, **server: Any) -> Server:  # noqa: F811
    """A server with three keys: ``leser`` (no right), ``vertraulich`` (may see
    nichtöffentliche Vorlagen), ``einleser`` (may ingest, not see them)."""
    made = {name: new_api_key() for name in RIGHTS}
    keys = [{"name": n, "hash": made[n].hash, "rights": r} for n, r in RIGHTS.items()]
    built = _server(store_dir, tmp_path, api_keys=keys, **server)
    built.keys = {name: key.key for name, key in made.items()}
    return built


def _search(server: Server, client: Any, query: str, key: str) -> str:
    """The hits of a search (without the echoed query), as JSON text."""
    found = client.get("/api/search", params={"q": query, "k": 10}, headers=server.bearer(key))
    assert found.status_code == 200, found.text
    return json.dumps(found.json()["hits"], ensure_ascii=False)


def test_an_upload_is_ingested_found_and_audited(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    seeds_dir: Path,
) -> None:
    server = _keyed(store_dir, tmp_path)
    seed = (seeds_dir / SEED).read_bytes()
    with server.client() as client:
        assert "BV/2023/162" not in _search(server, client, SEED_BETREFF, "leser")
        files = [("files", (SEED, seed, "text/plain"))]
        answer = client.post("/api/ingest", files=files, headers=server.bearer("einleser"))
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "files": 1,
            "new": 1,
            "updated": 0,
            "unchanged": 0,
            "duplicates": 0,
            "failed": [],
            "incomplete": [],
        }
        assert "BV/2023/162" in _search(server, client, SEED_BETREFF, "leser")
        # the same file again (from a path the server ignores) changes nothing
        again = [("files", (f"../../tmp/{SEED}", seed, "text/plain"))]
        answer = client.post("/api/ingest", files=again, headers=server.bearer("einleser"))
        assert answer.status_code == 200 and answer.json()["unchanged"] == 1
    entries = [e for e in server.services.archive.audit_entries() if e.action == "ingest"]
    assert [e.actor for e in entries] == ["einleser", "einleser"]
    assert len(entries[-1].object_ids) == 1 and len(entries[-1].object_ids[0]) == 16


def test_only_keys_with_the_right_may_ingest(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = _keyed(store_dir, tmp_path)
    files = [("files", ("a.txt", b"Beschlussvorschlag: Der Rat beschliesst.", "text/plain"))]
    with server.client() as client:
        for key in ("leser", "vertraulich"):
            refused = client.post("/api/ingest", files=files, headers=server.bearer(key))
            assert refused.status_code == 403
            assert refused.json() == {"detail": "Dieser Zugang darf keine Vorlagen einlesen."}
        assert client.post("/api/ingest", files=files).status_code == 401


def test_failures_are_reported_per_file_in_german(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = _keyed(store_dir, tmp_path)
    files = [
        ("files", ("programm.exe", b"MZ\x90\x00binary", "application/octet-stream")),
        ("files", ("leer.txt", b"", "text/plain")),
        ("files", ("..", b"x", "text/plain")),
    ]
    bearer = server.bearer("einleser")
    with server.client() as client:
        answer = client.post("/api/ingest", files=files, headers=bearer)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["files"] == 3 and body["new"] == 0
        reasons = {f["file"]: f["reason"] for f in body["failed"]}
        assert "wird nicht unterstützt" in reasons["programm.exe"]
        assert "leer" in reasons["leer.txt"]
        assert reasons["Datei 3"] == "Der Dateiname ist nicht zulässig."
        assert "vorlagen-upload-" not in answer.text  # no server paths
        nothing = client.post("/api/ingest", data={"x": "y"}, headers=bearer)
        assert nothing.status_code == 422 and "„files“" in nothing.json()["detail"]
        many = [("files", (f"{i}.txt", b"x", "text/plain")) for i in range(MAX_FILES + 1)]
        too_many = client.post("/api/ingest", files=many, headers=bearer)
        assert too_many.status_code == 400
        assert f"höchstens {MAX_FILES} Dateien" in too_many.json()["detail"]


def test_an_upload_over_the_limit_is_refused_with_413(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = _keyed(store_dir, tmp_path, max_upload_mb=1)
    files = [("files", ("gross.txt", b"x" * (1024 * 1024 + 10), "text/plain"))]
    with server.client() as client:
        answer = client.post("/api/ingest", files=files, headers=server.bearer("einleser"))
        assert answer.status_code == 413
        assert answer.json() == {"detail": "Die Anfrage ist zu groß (höchstens 1 MB)."}


def test_an_uploaded_nonpublic_vorlage_stays_hidden(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
    seeds_dir: Path,
) -> None:
    text = (seeds_dir / SEED).read_text(encoding="utf-8")
    canary = (
        text.replace("<u>öffentlich</u>", "<u>nichtöffentlich</u>")
        .replace("BV/2023/162", CANARY_NR)
        .replace(SEED_BETREFF, CANARY)
    )
    server = _keyed(store_dir, tmp_path)
    files = [("files", ("vertraulich.txt", canary.encode(), "text/plain"))]
    with server.client() as client:
        answer = client.post("/api/ingest", files=files, headers=server.bearer("einleser"))
        assert answer.status_code == 200 and answer.json()["new"] == 1, answer.text
        assert CANARY not in answer.text
        for key in ("leser", "einleser"):
            found = _search(server, client, CANARY, key)
            assert CANARY_NR not in found and "Zaunkönig" not in found
        assert CANARY_NR in _search(server, client, CANARY, "vertraulich")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("vorlage.pdf", "vorlage.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Vorlage 1.docx", "Vorlage 1.docx"),
        ("/abs/olut.txt", "olut.txt"),
        ("..", None),
        (".versteckt", None),
        ("ordner/..", None),
        ("", None),
        (None, None),
        ("zeile\nbruch.txt", None),
        ("x" * 250 + ".txt", None),
    ],
)
def test_upload_names_keep_only_a_safe_base_name(raw: str | None, name: str | None) -> None:
    assert safe_name(raw) == name
