"""What every `vorlagen` command shares: option panels, exit codes, the German help option,
command groups, the --store option, error output, dates, loading the services, the OParl
spinner and the progress bar."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.container import Services, SettingsError, Store, services_from_environment
from assistant.ports import BackendError
from assistant.presenter import OPARL_CONNECTING, duration, no_index, oparl_progress
from assistant.usecases.errors import InvalidRequest, NoIndexError
from assistant.usecases.ingest import IngestSources
from assistant.usecases.search import check_index
from ingest.errors import IngestError
from ingest.sources.oparl_api import SyncProgress

OPTIONS = "Optionen"
ARGUMENTS = "Argumente"
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2

T = TypeVar("T")
OParlReport = Callable[[SyncProgress], None]


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


def typer_app(name: str, help_text: str) -> typer.Typer:
    """A typer app as every ``vorlagen`` command (group) is built: German help option only,
    no shell completion, no tracebacks for clerks, Markdown in help texts."""
    return typer.Typer(
        name=name,
        help=help_text,
        add_completion=False,
        add_help_option=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode="markdown",
    )


def command_group(name: str, help_text: str) -> typer.Typer:
    """A group of subcommands (``vorlagen NAME ...``) with the German ``--help``/``-h``."""
    group = typer_app(name, help_text)

    def group_main(_help: HelpOption = False) -> None:
        """Options of the group: only the help."""

    group.callback(add_help_option=False)(group_main)
    return group


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


DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str) -> date:
    """``TT.MM.JJJJ`` or ISO ``JJJJ-MM-TT`` (surrounding blanks ignored) as a date; raises
    ``ValueError`` for anything else."""
    text = text.strip()
    match = DOTTED_DATE.fullmatch(text)
    if match:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return date.fromisoformat(text)


def since_date(value: str | None, *, dotted: bool) -> date | None:
    """The ``--since`` option's date (ISO, and ``TT.MM.JJJJ`` too when ``dotted``); a bad
    one ends the command with exit 2."""
    if value is None:
        return None
    try:
        return parse_date(value) if dotted else date.fromisoformat(value.strip())
    except ValueError:
        expected = "JJJJ-MM-TT oder TT.MM.JJJJ" if dotted else "JJJJ-MM-TT"
        fail(
            f"Das Datum „{value}“ bei --since ist ungültig; erwartet wird {expected}, "
            "z. B. 2023-01-31.",
            EXIT_USAGE,
        )


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


def with_oparl_spinner(
    oparl: str | None, gather: Callable[[OParlReport], IngestSources]
) -> IngestSources:
    """``gather(report)``, under a spinner on stderr that ``report`` updates while the OParl
    system at ``oparl`` is walked (no spinner without one). A wrong call ends the command with
    exit 2; unreadable documents, an unreachable system or a failing store with exit 1."""
    spinner = Console(stderr=True, highlight=False).status(OPARL_CONNECTING) if oparl else None

    def report(event: SyncProgress) -> None:
        if spinner is not None:
            spinner.update(oparl_progress(event.page, event.yielded, event.failed))

    with spinner or nullcontext():
        try:
            return gather(report)
        except (InvalidRequest, IngestError, BackendError) as err:
            if spinner is not None:
                spinner.stop()
            fail(str(err), EXIT_USAGE if isinstance(err, InvalidRequest) else EXIT_BAD_INPUT)


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


def with_count_bar(label: str, total: int, work: Callable[[CountBar], T]) -> T:
    """``work(bar)`` under a :func:`count_bar`; a failing backend stops the bar and ends the
    command with exit 1."""
    with count_bar(label, total) as bar:
        try:
            return work(bar)
        except BackendError as err:
            bar.stop()
            fail(str(err), EXIT_BAD_INPUT)


def quiet_library_warnings() -> None:
    """Route Python warnings of libraries to the log, where only DEBUG shows them.

    A clerk's terminal gets German sentences only; BeautifulSoup's, pypdfium2's or
    transformers' English advice is for developers (``log_level = "DEBUG"``).
    """
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addFilter(
        lambda _record: logging.getLogger().isEnabledFor(logging.DEBUG)
    )
