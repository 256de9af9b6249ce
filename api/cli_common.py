"""What every `vorlagen` command shares: option panels, exit codes, the German help option,
the --store option, error output and loading the services."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.container import Services, SettingsError, Store, services_from_environment
from assistant.ports import BackendError
from assistant.presenter import duration, no_index
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
PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="PFAD...",
        help="Dateien oder Verzeichnisse (durchsucht nach .txt, .pdf, .docx, .html, OParl-.json).",
        rich_help_panel=ARGUMENTS,
        show_default=False,
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


class CountBar:
    """A progress bar on stderr: done of total, the counts so far and the time left."""

    def __init__(self, bar: Progress, task: Any) -> None:
        self._bar = bar
        self._task = task

    def update(self, done: int, counts: str, eta_s: float | None) -> None:
        self._bar.update(self._task, completed=done, counts=counts, eta=duration(eta_s))

    def stop(self) -> None:
        """Stop drawing (before an error message is printed)."""
        self._bar.stop()


@contextmanager
def count_bar(label: str, total: int) -> Iterator[CountBar]:
    """A :class:`CountBar` titled ``label`` for ``total`` items, drawn while the block runs."""
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TextColumn("Restzeit {task.fields[eta]}"),
    )
    console = Console(stderr=True, highlight=False)
    with Progress(*columns, console=console, transient=False) as bar:
        yield CountBar(bar, bar.add_task(label, total=total, counts="", eta="–"))


def quiet_library_warnings() -> None:
    """Route Python warnings of libraries to the log, where only DEBUG shows them.

    A clerk's terminal gets German sentences only; BeautifulSoup's, pypdfium2's or
    transformers' English advice is for developers (``log_level = "DEBUG"``).
    """
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addFilter(
        lambda _record: logging.getLogger().isEnabledFor(logging.DEBUG)
    )
