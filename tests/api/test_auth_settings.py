"""The server's access settings: defaults, from the environment, German errors without the
secret value, the name rule shared with the CLI."""

from __future__ import annotations

from typing import Any

import pytest

from api.auth import NAME_PATTERN
from assistant.settings import ServerSettings, SettingsError, load_settings
from assistant.settings_access import ACCESS_NAME_PATTERN
from tests.api.access_app import INGESTER, READER


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("VORLAGEN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_server_settings_defaults() -> None:
    config = ServerSettings()
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.api_keys == [] and config.users == [] and config.local_rights == []
    assert config.session_secret is None and config.session_max_age_s == 8 * 3600
    assert config.max_upload_mb > 0 and config.request_timeout_s > 0 and config.queue_size > 0


@pytest.mark.usefixtures("clean_env")
def test_keys_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = f'[{{"name": "bot", "hash": "{INGESTER.hash.upper().replace("SHA256", "sha256")}"'
    monkeypatch.setenv("VORLAGEN_SERVER__API_KEYS", entry + ', "rights": ["ingest"]}]')
    monkeypatch.setenv("VORLAGEN_SERVER__LOCAL_RIGHTS", '["nichtoeffentlich"]')
    config = load_settings().server
    assert config.api_keys[0].hash.get_secret_value() == INGESTER.hash  # lower-cased
    assert config.local_rights == ["nichtoeffentlich"]


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("section", "where"),
    [
        ({"api_keys": [{"name": "bot", "hash": "geheim-im-klartext"}]}, "server.api_keys.0.hash"),
        ({"api_keys": [{"name": "a\nb", "hash": READER.hash}]}, "server.api_keys.0.name"),
        ({"users": [{"name": "anna", "password_hash": "$2b$12$bcrypt"}]}, "server.users.0"),
        ({"users": [{"name": "x", "password_hash": "$argon2id$a", "rights": ["admin"]}]}, "users"),
        ({"session_secret": "kurz-aber-geheim"}, "server.session_secret"),
        (
            {"api_keys": [{"name": "a", "hash": READER.hash}, {"name": "b", "hash": READER.hash}]},
            "server.api_keys",
        ),
        ({"users": [{"name": "a", "password_hash": "$argon2id$x"}] * 2}, "server.users"),
        ({"port": 0}, "server.port"),
    ],
)
def test_bad_server_settings_are_one_german_sentence_without_the_value(
    section: dict[str, Any], where: str
) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({"server": section})
    assert where in str(err.value) and "ungültigen Wert" in str(err.value)
    cause = str(err.value.__cause__)
    for secret in ("geheim-im-klartext", "kurz-aber-geheim", "bcrypt"):
        assert secret not in str(err.value) and secret not in cause


def test_the_name_rule_is_the_same_in_settings_and_cli() -> None:
    assert NAME_PATTERN == ACCESS_NAME_PATTERN
    ServerSettings.model_validate(
        {"users": [{"name": "Jörg Müller", "password_hash": "$argon2id$x"}]}
    )
