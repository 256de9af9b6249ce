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
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli_check import register as register_check_commands
from api.cli_common import (
    ARGUMENTS,
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    OPTIONS,
    CountBar,
    HelpOption,
    PathsArgument,
    StoreOption,
    error,
    fail,
    load_services,
    quiet_library_warnings,
    typer_app,
    with_count_bar,
    with_oparl_spinner,
)
from api.cli_draft import register as register_draft_commands
from api.cli_keys import register as register_key_commands
from api.cli_konzept import register as register_konzept_commands
from api.cli_models import register as register_model_commands
from api.cli_render import render_details, render_overview
from api.cli_search import register as register_search_commands
from api.cli_serve import register as register_serve_command
from api.cli_summarize import register as register_summarize_command
from api.container import Services, Store
from assistant.presenter import ingest_counts, ingest_failure, ingest_rows
from assistant.presenter_ingest import ingest_incomplete
from assistant.schema import Vorlage
from assistant.usecases.ingest import IngestSources
from ingest.errors import IngestError
from ingest.konzept.dispatch import ART_CHOICES, Art
from ingest.results import IngestSummary
from ingest.results import Progress as IngestProgress

log = logging.getLogger("vorlagen")


app = typer_app("vorlagen", "Vorlagen-Assistent: Hilfe beim Schreiben von Beschlussvorlagen.")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"vorlagen {_package_version()}")
        raise typer.Exit()


def _package_version() -> str:
    try:
        return version("vorlagen-assistent")
    except PackageNotFoundError:
        return "unbekannt"


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


ArtOption = Annotated[
    str,
    typer.Option(
        "--art",
        metavar="ART",
        help="Was die Dateien sind: auto (erkennen), vorlage oder konzept "
        "(ein Integrationskonzept mit Handlungsfeldern und Maßnahmen).",
        rich_help_panel=OPTIONS,
    ),
]


def with_art(services: Services, art: str) -> Services:
    """``services`` whose parser reads every file as ``art`` (exit 2 for an unknown one)."""
    if art not in ART_CHOICES:
        fail(f"Unbekannte Art „{art}“ (auto, vorlage oder konzept).", EXIT_USAGE)
    chosen: Art = "konzept" if art == "konzept" else "vorlage" if art == "vorlage" else "auto"
    return replace(services, parser=replace(services.parser, art=chosen))


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
    art: ArtOption = "auto",
    _help: HelpOption = False,
) -> None:
    """Vorlagen einlesen und zeigen, was erkannt wurde.

    Ohne Optionen: bei einer Datei eine ausführliche Übersicht, bei mehreren eine Tabelle
    mit einer Zeile je Vorlage. Dateien, die nicht gelesen werden können, werden mit einem
    Satz auf der Fehlerausgabe gemeldet; die übrigen werden trotzdem gezeigt.
    """
    services = with_art(load_services(), art)
    results = _parse_all(services, paths)
    if as_json:
        failed = _print_json(results)
    else:
        failed = _print_summary(results, details or len(paths) == 1)
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _parse_all(services: Services, paths: list[Path]) -> Iterator[Vorlage | None]:
    """Yield each parsed Vorlage, or None after reporting why a file failed."""
    for path in paths:
        yield _parse_one(services.parser, path)


def _parse_one(parser: Callable[[Path], Vorlage], path: Path) -> Vorlage | None:
    try:
        return parser(path)
    except IngestError as err:
        error(_with_path(str(err), path))
    except Exception:
        log.debug("internal error while parsing %s", path, exc_info=True)
        error(
            f"Die Datei {path} konnte wegen eines internen Fehlers nicht gelesen werden; "
            "bitte melden Sie das der Administration."
        )
    return None


def _with_path(message: str, path: Path) -> str:
    return message if path.name in message else f"{path}: {message}"


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


# --- vorlagen ingest ----------------------------------------------------------------------------


@app.command(add_help_option=False, rich_help_panel="Befehle")
def ingest(
    paths: PathsArgument = None,
    oparl: Annotated[
        str | None,
        typer.Option(
            "--oparl",
            metavar="URL",
            help="Vorlagen aus einem Ratsinformationssystem mit OParl-Schnittstelle holen "
            "(System- oder Körperschafts-URL). Beim nächsten Aufruf werden nur geänderte "
            "Vorlagen geholt.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Den Index zuerst leeren und alles neu aufnehmen (z. B. nach einem "
            "Wechsel des Embedding-Modells).",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    art: ArtOption = "auto",
    _help: HelpOption = False,
) -> None:
    """Vorlagen in den Suchindex aufnehmen.

    Unveränderte Dateien werden übersprungen, geänderte ersetzt. Ein abgebrochener Import
    kann einfach erneut gestartet werden. Am Ende zeigt eine Tabelle, wie viele Vorlagen neu,
    aktualisiert, unverändert oder fehlgeschlagen sind; bei Fehlern ist der Exit-Code 1.
    """
    services = with_art(load_services(), art)
    target = services.store_at(store)
    sources = _gather(services, target, paths or [], oparl, rebuild)
    result = _run_ingest(services, target, sources, rebuild)
    _print_ingest_summary(result, target.directory)
    if result.failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _gather(
    services: Services, target: Store, paths: list[Path], oparl: str | None, full: bool
) -> IngestSources:
    """The documents to ingest; an OParl system is walked here, under a spinner (new and
    changed papers only, or every paper when ``full``: a rebuild)."""
    return with_oparl_spinner(
        oparl,
        lambda report: services.ingest_sources(
            paths, oparl_url=oparl, store=target, rebuild=full, oparl_progress=report
        ),
    )


def _run_ingest(
    services: Services, target: Store, sources: IngestSources, rebuild: bool
) -> IngestSummary:
    def work(bar: CountBar) -> IngestSummary:
        def report(event: IngestProgress) -> None:
            bar.update(event.done, ingest_counts(event.summary), event.eta_s)

        return services.ingest(sources, store=target, rebuild=rebuild, progress=report)

    return with_count_bar("Import", len(sources.documents), work)


def _print_ingest_summary(result: IngestSummary, directory: Path) -> None:
    console = Console(highlight=False)
    table = Table(title=f"Import in {directory}", title_justify="left", show_header=False)
    table.add_column("Ergebnis")
    table.add_column("Anzahl", justify="right")
    for label, value in ingest_rows(result):
        table.add_row(label, value)
    console.print(table)
    for failure in result.failed:
        error(ingest_failure(failure.key, failure.reason))
    for item in result.incomplete:
        error(ingest_incomplete(item.key, item.status))


register_search_commands(app)  # `vorlagen search`, `vorlagen eval retrieval`
register_konzept_commands(app)  # `vorlagen konzept stand`
register_model_commands(app)  # `vorlagen models`
register_draft_commands(app)  # `vorlagen draft`
register_check_commands(app)  # `vorlagen validate`, `vorlagen export`
register_key_commands(app)  # `vorlagen schluessel neu`, `vorlagen schluessel benutzer`
register_serve_command(app)  # `vorlagen serve`
register_summarize_command(app)  # `vorlagen summarize`


def main() -> None:
    """Console-script entry point; library warnings go to the log (shown only with DEBUG)."""
    quiet_library_warnings()
    app(prog_name="vorlagen")


if __name__ == "__main__":
    main()
