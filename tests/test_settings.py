"""Settings: defaults, environment variables, vorlagen.toml and their precedence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No VORLAGEN_* variable of the caller leaks in; the working directory has no toml."""
    for name in list(os.environ):
        if name.startswith("VORLAGEN_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings()
    assert settings.data_dir == tmp_path / ".local" / "share" / "vorlagen-assistent"
    assert settings.log_level == "WARNING"
    assert settings.ingest.pdf_timeout_s == 60
    assert settings.ingest.pdf_memory_mb == 1024
    assert settings.ingest.max_file_mb == 50
    assert settings.ingest.redact_bearbeiter is False


def test_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().data_dir == tmp_path / "xdg" / "vorlagen-assistent"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("VORLAGEN_LOG_LEVEL", "debug")
    monkeypatch.setenv("VORLAGEN_INGEST__MAX_FILE_MB", "7")
    monkeypatch.setenv("VORLAGEN_INGEST__REDACT_BEARBEITER", "true")
    settings = Settings()
    assert settings.data_dir == tmp_path / "daten"
    assert settings.log_level == "DEBUG"
    assert settings.ingest.max_file_mb == 7
    assert settings.ingest.redact_bearbeiter is True
    assert settings.ingest.pdf_timeout_s == 60


TOML = """
data_dir = "/srv/vorlagen"
log_level = "INFO"

[ingest]
pdf_timeout_s = 5
max_file_mb = 3
"""


def test_toml_in_working_directory(tmp_path: Path) -> None:
    (tmp_path / "vorlagen.toml").write_text(TOML, encoding="utf-8")
    settings = Settings()
    assert settings.data_dir == Path("/srv/vorlagen")
    assert settings.log_level == "INFO"
    assert settings.ingest.pdf_timeout_s == 5
    assert settings.ingest.max_file_mb == 3
    assert settings.ingest.pdf_memory_mb == 1024


def test_toml_from_vorlagen_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "etc" / "anders.toml"
    config.parent.mkdir()
    config.write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("VORLAGEN_CONFIG", str(config))
    assert Settings().ingest.pdf_timeout_s == 5


def test_environment_wins_over_toml_and_both_merge(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "vorlagen.toml").write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("VORLAGEN_INGEST__MAX_FILE_MB", "9")
    settings = Settings()
    assert settings.ingest.max_file_mb == 9  # environment
    assert settings.ingest.pdf_timeout_s == 5  # toml, same sub-model
    assert settings.log_level == "INFO"  # toml


def test_unrelated_vorlagen_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VORLAGEN_SHARED", "/somewhere")
    assert Settings().log_level == "WARNING"


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ({"VORLAGEN_CONFIG": "/nicht/da.toml"}, "nicht gefunden"),
        ({"VORLAGEN_INGEST__MAX_FILE_MB": "viel"}, "ingest.max_file_mb"),
        ({"VORLAGEN_INGEST__MAX_FILE_MB": "-1"}, "ingest.max_file_mb"),
        ({"VORLAGEN_LOG_LEVEL": "laut"}, "log_level"),
    ],
)
def test_bad_configuration_is_one_german_sentence(
    monkeypatch: pytest.MonkeyPatch, setup: dict[str, str], fragment: str
) -> None:
    for name, value in setup.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert fragment in message
    assert message.endswith(".") and "\n" not in message


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [("[ingest\n", "kein gültiges TOML"), ("[ingest]\npdf_timeot_s = 1\n", "unbekannt")],
)
def test_bad_toml_is_one_german_sentence(tmp_path: Path, toml: str, fragment: str) -> None:
    (tmp_path / "vorlagen.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError, match=fragment):
        load_settings()


def test_command_overrides_win_and_merge_with_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VORLAGEN_LLM__API_KEY", "sk-aus-der-umgebung")
    monkeypatch.setenv("VORLAGEN_LLM__TEMPERATURE", "0.3")
    settings = load_settings(
        {"llm": {"backend": "openai", "base_url": "http://10.0.0.5:8000/v1", "model": "q"}}
    )
    assert settings.llm.backend == "openai" and settings.llm.model == "q"
    assert settings.llm.api_key is not None
    assert settings.llm.api_key.get_secret_value() == "sk-aus-der-umgebung"
    assert settings.llm.temperature == 0.3


def test_a_rules_own_sentence_reaches_the_admin() -> None:
    """A setting refused by a rule (an enabled bot without its credentials) is told in the
    rule's own German sentence, not the generic one."""
    with pytest.raises(SettingsError, match=r"^Der Slack-Bot ist eingeschaltet, aber bots\.slack"):
        load_settings({"bots": {"slack": {"enabled": True}}})
    with pytest.raises(SettingsError, match=r"^Der Teams-Bot ist eingeschaltet, aber bots\.teams"):
        load_settings({"bots": {"teams": {"enabled": True, "app_id": "x"}}})


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://smba.trafficmanager.net/emea/", True),
        ("http://127.0.0.1:3978", True),  # a local connector (tests)
        ("http://smba.trafficmanager.net/emea/", False),  # the bot's token in clear text
        ("smba.trafficmanager.net", False),
    ],
)
def test_the_teams_service_address_must_be_https(url: str, ok: bool) -> None:
    """``bots.teams.service_url`` receives the bot's token: https, or http on this machine."""
    if ok:
        assert load_settings({"bots": {"teams": {"service_url": url}}}).bots.teams.service_url
    else:
        with pytest.raises(SettingsError, match=r"ist keine https-Adresse\.$"):
            load_settings({"bots": {"teams": {"service_url": url}}})
