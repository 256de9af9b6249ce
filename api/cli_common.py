"""What every `vorlagen` command shares: option panels, exit codes, the German help option,
the --store option, error output and loading the services."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from api.container import Services, SettingsError, Store, services_from_environment
from assistant.ports import BackendError
from assistant.presenter import no_index
from assistant.usecases.errors import NoIndexError
from assistant.usecases.search import check_index

OPTIONS = "Optionen"
ARGUMENTS = "Argumente"
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


def show_help(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        typer.echo(ctx.get_help())
        raise typer.Exit()


HelpOption = Annotated[
    bool,
    typer.Option(
        "--help",
        "-h",
        help="Diese Hilfe anzeigen und beenden.",
        is_eager=True,
        callback=show_help,
        rich_help_panel=OPTIONS,
    ),
]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="VERZEICHNIS",
        help="Das Index-Verzeichnis (Voreinstellung: aus der Konfiguration).",
        rich_help_panel=OPTIONS,
        show_default=False,
    ),
]


def error(message: str) -> None:
    """One German sentence on stderr."""
    typer.echo(message, err=True)


def fail(message: str, code: int) -> NoReturn:
    """Print one German sentence on stderr and end the command with ``code``."""
    error(message)
    raise typer.Exit(code)


def load_services(overrides: Mapping[str, Any] | None = None) -> Services:
    """The services for the environment's settings (and a command's ``overrides``); a bad
    configuration ends with exit 2."""
    try:
        services = services_from_environment(overrides)
    except SettingsError as err:
        fail(str(err), EXIT_USAGE)
    logging.basicConfig(level=services.settings.log_level, format="%(levelname)s: %(message)s")
    # the OpenAI client logs request bodies (document text) at DEBUG: never below INFO
    logging.getLogger("openai").setLevel(max(logging.INFO, logging.getLogger().level))
    return services


def open_store(services: Services, directory: Path | None) -> Store:
    """The store in ``directory`` (a ``--store`` option, else the configured one); an empty or
    unreadable index ends the command with one German sentence (exit 1)."""
    store = services.store_at(directory)
    try:
        check_index(store.keyword_index, store.directory)
    except NoIndexError:
        fail(
            no_index(store.directory, f"vorlagen ingest --store {store.directory} PFAD..."),
            EXIT_BAD_INPUT,
        )
    except BackendError as err:
        fail(str(err), EXIT_BAD_INPUT)
    return store
