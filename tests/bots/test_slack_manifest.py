"""The Slack app manifest in the repository (deploy/slack-manifest.yml) fits the code: the
command the bot listens to, the path it serves, the events and scopes it needs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from api.bots.slack_app import COMMAND, EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yml"


def test_the_manifest_fits_the_bot() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (command,) = manifest["features"]["slash_commands"]
    assert COMMAND.match(command["command"])
    settings = manifest["settings"]
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(urlsplit(url).path == EVENTS_PATH for url in urls)
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for scope in ("chat:write", "commands", "reactions:write", "files:write", "im:history"):
        assert scope in scopes
