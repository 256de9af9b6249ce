"""``vorlagen schluessel neu`` and ``vorlagen schluessel benutzer``: the printed entries are
valid settings that work against the access rules (api/cli_keys.py)."""

from __future__ import annotations

import tomllib

import pytest
from typer.testing import CliRunner

from api.cli import app as cli_app
from assistant.settings import ServerSettings
from tests.api.access_app import bearer, client


def test_schluessel_neu_prints_a_key_and_a_working_toml_entry() -> None:
    result = CliRunner().invoke(cli_app, ["schluessel", "neu", "--name", "slack-bot", "--ingest"])
    assert result.exit_code == 0, result.output
    key = next(
        line.strip() for line in result.output.splitlines() if line.strip().startswith("va_")
    )
    entry = result.output[result.output.index("[[server.api_keys]]") :]
    config = ServerSettings.model_validate(tomllib.loads(entry)["server"])
    assert config.api_keys[0].name == "slack-bot" and config.api_keys[0].rights == ["ingest"]
    http = client(config)
    assert http.post("/api/ingest", headers=bearer(key)).json()["name"] == "slack-bot"


def test_schluessel_neu_gives_the_right_to_approve() -> None:
    args = ["schluessel", "neu", "--name", "bruno.keller", "--mitzeichnen", "--nichtoeffentlich"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    key = next(
        line.strip() for line in result.output.splitlines() if line.strip().startswith("va_")
    )
    entry = result.output[result.output.index("[[server.api_keys]]") :]
    config = ServerSettings.model_validate(tomllib.loads(entry)["server"])
    assert config.api_keys[0].rights == ["nichtoeffentlich", "mitzeichnen"]
    caller = client(config).get("/api/wer", headers=bearer(key)).json()
    assert caller["may_approve"] is True and caller["may_ingest"] is False


def test_schluessel_neu_refuses_a_bad_name() -> None:
    result = CliRunner().invoke(cli_app, ["schluessel", "neu", "--name", "a;b"])
    assert result.exit_code == 2 and "nicht erlaubt" in result.output


def test_schluessel_benutzer_asks_the_password_and_prints_its_hash() -> None:
    password = "ein-langes-passwort"
    result = CliRunner().invoke(
        cli_app,
        ["schluessel", "benutzer", "--name", "Jörg Müller", "--nichtoeffentlich"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    entry = result.output[result.output.index("[[server.users]]") :]
    assert password not in entry
    config = ServerSettings.model_validate(tomllib.loads(entry)["server"])
    http = client(config)
    answer = http.post("/api/login", data={"name": "Jörg Müller", "password": password})
    assert answer.status_code == 200 and answer.json()["may_see_nonpublic"] is True


@pytest.mark.parametrize(
    ("typed", "message"),
    [("kurz\n", "zu kurz"), ("ein-langes-passwort\nein-anderes-passwort\n", "nicht überein")],
)
def test_schluessel_benutzer_refuses_short_or_mismatching_passwords(
    typed: str, message: str
) -> None:
    result = CliRunner().invoke(cli_app, ["schluessel", "benutzer", "--name", "anna"], input=typed)
    assert result.exit_code == 2 and message in result.output
