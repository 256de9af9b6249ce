"""The Teams app manifest in the repo (deploy/teams/): complete, its icons the sizes Teams
wants, and its commands the ones the bot reads."""

from __future__ import annotations

import json
import struct
from datetime import date
from pathlib import Path

from assistant.usecases.chat import read_message

TEAMS = Path(__file__).resolve().parents[2] / "deploy" / "teams"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_is_complete() -> None:
    manifest = json.loads((TEAMS / "manifest.json").read_text(encoding="utf-8"))
    for key in ("manifestVersion", "version", "id", "developer", "name", "description", "icons"):
        assert manifest[key]
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["name"]["short"]) <= 30
    (bot,) = manifest["bots"]
    assert bot["botId"] == manifest["id"]  # both are the app id (bots.teams.app_id)
    assert bot["supportsFiles"] is True  # the Word file is offered by file consent
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert _png_size(TEAMS / manifest["icons"]["color"]) == (192, 192)
    assert _png_size(TEAMS / manifest["icons"]["outline"]) == (32, 32)


def test_manifest_commands_are_the_bots() -> None:
    manifest = json.loads((TEAMS / "manifest.json").read_text(encoding="utf-8"))
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    kinds = [read_message(c["title"] + " Kita", date(2027, 1, 1)).kind for c in commands]
    assert kinds == ["entwurf", "suche", "hilfe"]
