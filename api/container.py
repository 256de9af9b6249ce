"""The one wiring point: settings in, ready-to-use services out.

Entry points (CLI, HTTP app, bots) call :func:`build_services` (or
:func:`services_from_environment`) and use only what :class:`Services` holds. This is the only
module that reads settings and the only place that picks concrete implementations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.schema import Vorlage
from assistant.settings import Settings, SettingsError, load_settings
from ingest.parse import ParseOptions, parse_path

__all__ = ["Parser", "Services", "SettingsError", "build_services", "services_from_environment"]


@dataclass(frozen=True)
class Parser:
    """Parses one file into a Vorlage within the configured limits.

    Raises ``IngestError`` (one German sentence) for anything wrong with the file itself.
    """

    options: ParseOptions

    def __call__(self, path: Path) -> Vorlage:
        return parse_path(path, self.options)


@dataclass(frozen=True)
class Services:
    """What entry points need, built once from the settings."""

    settings: Settings
    parser: Parser


def build_services(settings: Settings) -> Services:
    """Wire the services for ``settings``; cheap, loads no models."""
    ingest = settings.ingest
    options = ParseOptions(
        pdf_timeout_s=ingest.pdf_timeout_s,
        pdf_memory_mb=ingest.pdf_memory_mb,
        max_file_mb=ingest.max_file_mb,
        redact_bearbeiter=ingest.redact_bearbeiter,
    )
    return Services(settings=settings, parser=Parser(options))


def services_from_environment() -> Services:
    """Services for the settings of the environment and ``vorlagen.toml``.

    Raises:
        SettingsError: the configuration is unusable (one German sentence).
    """
    return build_services(load_settings())
