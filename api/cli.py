"""The ``vorlagen`` command for clerks and admins (typer + rich).

A thin layer: it loads the services from ``api.container`` and prints what they return.
Problems with a document go to stderr as one German sentence (exit code 1); wrong calls exit
with code 2. No tracebacks for user errors: run with ``VORLAGEN_LOG_LEVEL=DEBUG`` to see them
for unexpected internal errors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli_render import render_details, render_overview
from api.container import Services, SettingsError, services_from_environment
from assistant.schema import Vorlage
from ingest.errors import IngestError

log = logging.getLogger("vorlagen")

OPTIONS = "Optionen"
ARGUMENTS = "Argumente"
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="vorlagen",
    help="Vorlagen-Assistent: Hilfe beim Schreiben von Beschlussvorlagen.",
    add_completion=False,
    add_help_option=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _show_help(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        typer.echo(ctx.get_help())
        raise typer.Exit()


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"vorlagen {_package_version()}")
        raise typer.Exit()


def _package_version() -> str:
    try:
        return version("vorlagen-assistent")
    except PackageNotFoundError:
        return "unbekannt"


HelpOption = Annotated[
    bool,
    typer.Option(
        "--help",
        "-h",
        help="Diese Hilfe anzeigen und beenden.",
        is_eager=True,
        callback=_show_help,
        rich_help_panel=OPTIONS,
    ),
]


@app.callback(add_help_option=False)
def _main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Die Version anzeigen und beenden.",
            is_eager=True,
            callback=_show_version,
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    _help: HelpOption = False,
) -> None:
    """Options for every command."""


@app.command(add_help_option=False, rich_help_panel="Befehle")
def parse(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="DATEI...",
            help="Eine oder mehrere Vorlagen: .txt, .pdf, .docx, .html oder OParl-.json.",
            rich_help_panel=ARGUMENTS,
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Jede Vorlage als eine JSON-Zeile ausgeben (für andere Programme).",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    details: Annotated[
        bool,
        typer.Option(
            "--ausfuehrlich",
            "-a",
            help="Auch bei mehreren Dateien jede Vorlage einzeln und ausführlich zeigen.",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    _help: HelpOption = False,
) -> None:
    """Vorlagen einlesen und zeigen, was erkannt wurde.

    Ohne Optionen: bei einer Datei eine ausführliche Übersicht, bei mehreren eine Tabelle
    mit einer Zeile je Vorlage. Dateien, die nicht gelesen werden können, werden mit einem
    Satz auf der Fehlerausgabe gemeldet; die übrigen werden trotzdem gezeigt.
    """
    services = _services()
    results = _parse_all(services, paths)
    if as_json:
        failed = _print_json(results)
    else:
        failed = _print_summary(results, details or len(paths) == 1)
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _services() -> Services:
    try:
        services = services_from_environment()
    except SettingsError as err:
        _error(str(err))
        raise typer.Exit(EXIT_USAGE) from None
    logging.basicConfig(level=services.settings.log_level, format="%(levelname)s: %(message)s")
    return services


def _parse_all(services: Services, paths: list[Path]) -> Iterator[Vorlage | None]:
    """Yield each parsed Vorlage, or None after reporting why a file failed."""
    for path in paths:
        yield _parse_one(services.parser, path)


def _parse_one(parser: Callable[[Path], Vorlage], path: Path) -> Vorlage | None:
    try:
        return parser(path)
    except IngestError as err:
        _error(_with_path(str(err), path))
    except Exception:
        log.debug("internal error while parsing %s", path, exc_info=True)
        _error(
            f"Die Datei {path} konnte wegen eines internen Fehlers nicht gelesen werden; "
            "bitte melden Sie das der Administration."
        )
    return None


def _with_path(message: str, path: Path) -> str:
    return message if path.name in message else f"{path}: {message}"


def _error(message: str) -> None:
    typer.echo(message, err=True)


def _print_json(results: Iterator[Vorlage | None]) -> bool:
    failed = False
    for vorlage in results:
        if vorlage is None:
            failed = True
            continue
        sys.stdout.write(vorlage.model_dump_json() + "\n")
        sys.stdout.flush()
    return failed


def _print_summary(results: Iterator[Vorlage | None], one_by_one: bool) -> bool:
    console = Console(highlight=False)
    parsed: list[Vorlage] = []
    failed = False
    for vorlage in results:
        if vorlage is None:
            failed = True
        elif one_by_one:
            render_details(console, vorlage)
        else:
            parsed.append(vorlage)
    if parsed:
        render_overview(console, parsed)
    return failed


def main() -> None:
    """Console-script entry point."""
    app(prog_name="vorlagen")


if __name__ == "__main__":
    main()
