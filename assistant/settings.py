"""The one settings tree: environment variables ``VORLAGEN_...`` and an optional ``vorlagen.toml``.

Precedence, highest first: keyword arguments, environment variables (prefix ``VORLAGEN_``,
nested with ``__``, e.g. ``VORLAGEN_INGEST__MAX_FILE_MB=20``), the TOML file, the defaults.
The TOML file is ``$VORLAGEN_CONFIG`` when set (it must then exist), else ``./vorlagen.toml``
when present.

There is no global settings object: library code never reads settings. Only
``api/container.py`` loads them and hands plain values to the services it builds.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "VORLAGEN_CONFIG"
DEFAULT_CONFIG = Path("vorlagen.toml")
APP_DIR_NAME = "vorlagen-assistent"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(Exception):
    """The configuration is unusable; ``str(err)`` is one German sentence for the admin."""


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/vorlagen-assistent``, else ``~/.local/share/vorlagen-assistent``."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / APP_DIR_NAME


def config_path() -> Path | None:
    """The TOML file to read, or None when there is none.

    Raises:
        SettingsError: ``$VORLAGEN_CONFIG`` names a file that does not exist.
    """
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SettingsError(
                f"Die Konfigurationsdatei {path} aus {CONFIG_ENV} wurde nicht gefunden."
            )
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


class IngestSettings(BaseModel):
    """Limits and options for reading documents."""

    model_config = ConfigDict(extra="forbid")

    pdf_timeout_s: float = Field(default=60, gt=0, description="Max. seconds per PDF.")
    pdf_memory_mb: int = Field(default=1024, gt=0, description="Max. memory for PDF parsing.")
    max_file_mb: int = Field(default=50, gt=0, description="Larger files are refused.")
    redact_bearbeiter: bool = Field(
        default=False, description="Remove the clerk's name (personal data) at ingestion."
    )


class Settings(BaseSettings):
    """Everything an installation can configure."""

    model_config = SettingsConfigDict(
        env_prefix="VORLAGEN_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    log_level: LogLevel = "WARNING"
    ingest: IngestSettings = Field(default_factory=IngestSettings)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = config_path()
        if toml is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml))


def load_settings() -> Settings:
    """Read the settings; every configuration mistake becomes one German ``SettingsError``."""
    try:
        return Settings()
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"Die Konfigurationsdatei ist kein gültiges TOML ({err}).") from err
    except ValidationError as err:
        raise SettingsError(_describe(err)) from err


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "?"
    env = "VORLAGEN_" + "__".join(str(part) for part in first["loc"]).upper()
    if first["type"] == "extra_forbidden":
        return f"Die Einstellung „{name}“ ist unbekannt (Umgebungsvariable oder vorlagen.toml)."
    return (
        f"Die Einstellung „{name}“ hat einen ungültigen Wert "
        f"(Umgebungsvariable {env} oder vorlagen.toml)."
    )
