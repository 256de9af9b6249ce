"""``vorlagen summarize``: summaries of whole archives, with a report (issue 13).

Reads files and directories, the papers of an OParl system, or the Vorlagen of the search
index (``--store``), and writes into ``--out DIR``: ``summaries.jsonl`` (one checked record per
document), ``summaries.csv`` and ``report.html``. A progress bar with the time left runs on
stderr. Resumable: run it again after Ctrl-C or a crash and it continues; what is done (same
content, same prompt version) is not sent to the model again. Exit code 1 when a document
failed or could not be read (the others are summarised all the same), 2 for a wrong call,
130 after Ctrl-C.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from api.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    OPTIONS,
    CountBar,
    HelpOption,
    PathsArgument,
    error,
    fail,
    load_services,
    since_date,
    with_count_bar,
    with_oparl_spinner,
)
from api.container import Services
from api.container_summaries import keep_summaries, run_summaries, summary_sources
from assistant.ports import BackendError
from assistant.presenter import duration
from assistant.presenter_summaries import STATUS_LABELS, summary_counts
from assistant.summary_report import render_report, summaries_csv
from assistant.usecases.ingest import IngestSources
from assistant.usecases.summarize_batch import BatchOptions, BatchProgress, BatchResult
from ingest.atomic import atomic_write

log = logging.getLogger("vorlagen")

EXIT_INTERRUPTED = 130
JSONL, CSV, REPORT = "summaries.jsonl", "summaries.csv", "report.html"


def register(app: typer.Typer) -> None:
    """Add ``summarize`` to the ``vorlagen`` app."""
    app.command("summarize", add_help_option=False, rich_help_panel="Befehle")(summarize)


def summarize(
    paths: PathsArgument = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="VERZEICHNIS",
            help="Wohin summaries.jsonl, summaries.csv und report.html geschrieben werden.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    oparl: Annotated[
        str | None,
        typer.Option(
            "--oparl",
            metavar="URL",
            help="Die Vorlagen eines Ratsinformationssystems mit OParl-Schnittstelle.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    from_store: Annotated[
        bool,
        typer.Option(
            "--store",
            help="Die Vorlagen des Suchindex zusammenfassen (aus der Konfiguration).",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Wie viele Vorlagen gleichzeitig zusammengefasst werden.",
            rich_help_panel=OPTIONS,
        ),
    ] = 1,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="local|ray",
            help="local: in diesem Prozess; ray: auf einem Ray-Cluster (oder lokal mit Ray).",
            rich_help_panel=OPTIONS,
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            metavar="ADRESSE",
            help="Der Ray-Cluster, z. B. ray://kopf:10001 (ohne: eine lokale Ray-Instanz).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help="Höchstens so viele Vorlagen in diesem Lauf zusammenfassen.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATUM",
            help="Nur Vorlagen ab diesem Datum (JJJJ-MM-TT oder TT.MM.JJJJ).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    _help: HelpOption = False,
) -> None:
    """Vorlagen zusammenfassen und einen Bericht schreiben.

    Jede Vorlage bekommt eine geprüfte Kurzfassung mit Beschluss, Gremien, Beträgen,
    Schlagworten und dem Bezug zu Integrationskonzepten. Ein abgebrochener Lauf kann einfach
    erneut gestartet werden; schon Zusammengefasstes wird übersprungen.
    """
    if out is None:
        fail("Bitte mit --out VERZEICHNIS angeben, wohin die Ergebnisse sollen.", EXIT_USAGE)
    if engine not in ("local", "ray"):
        fail("Bei --engine geht nur local oder ray.", EXIT_USAGE)
    if ray_address and engine != "ray":
        fail("--ray-address gilt nur mit --engine ray.", EXIT_USAGE)
    options = BatchOptions(limit=limit, since=since_date(since, dotted=True))
    services = load_services()
    sources = _gather(services, paths or [], oparl, from_store, out)
    kind: Literal["local", "ray"] = "ray" if engine == "ray" else "local"
    result = _run(services, sources, out, options, kind, workers, ray_address)
    _write_outputs(services, result, out)
    if sources.sync is not None:
        sources.sync.commit()
    _print_result(result, out)
    failed = result.counts["fehlgeschlagen"] + result.counts["unlesbar"]
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _gather(
    services: Services, paths: list[Path], oparl: str | None, from_store: bool, out: Path
) -> IngestSources:
    return with_oparl_spinner(
        oparl,
        lambda report: summary_sources(
            services,
            paths,
            oparl_url=oparl,
            from_store=from_store,
            state_dir=out,
            oparl_progress=report,
        ),
    )


def _run(
    services: Services,
    sources: IngestSources,
    out: Path,
    options: BatchOptions,
    engine: Literal["local", "ray"],
    workers: int,
    ray_address: str | None,
) -> BatchResult:
    def work(bar: CountBar) -> BatchResult:
        def report(event: BatchProgress) -> None:
            bar.update(event.done, summary_counts(event.counts), event.eta_s)

        return run_summaries(
            services,
            sources,
            out / JSONL,
            engine=engine,
            workers=workers,
            ray_address=ray_address,
            options=options,
            progress=report,
        )

    try:
        return with_count_bar("Zusammenfassen", len(sources.documents), work)
    except KeyboardInterrupt:
        fail(
            "Abgebrochen. Was fertig war, ist in "
            f"{out / JSONL} gespeichert; ein erneuter Aufruf setzt fort.",
            EXIT_INTERRUPTED,
        )


def _write_outputs(services: Services, result: BatchResult, out: Path) -> None:
    atomic_write(out / CSV, summaries_csv(result.records))
    atomic_write(out / REPORT, render_report(result.records, generated=datetime.now(UTC)))
    try:
        keep_summaries(services, result.records)
    except BackendError as err:
        error(str(err))


def _print_result(result: BatchResult, out: Path) -> None:
    console = Console(highlight=False)
    console.print(
        f"{summary_counts(dict(result.counts))}; {result.model_calls} Modellaufrufe, "
        f"{duration(result.seconds)}."
    )
    console.print(f"Ergebnisse: {out / JSONL}, {out / CSV}, Bericht: {out / REPORT}")
    if result.unreadable_lines:
        error(f"{result.unreadable_lines} unlesbare Zeilen in {out / JSONL} wurden übergangen.")
    skipped = 0
    for record in result.records:
        if record.status in ("fehlgeschlagen", "unlesbar"):
            error(f"{record.source}: {STATUS_LABELS[record.status]}: {record.reason}")
        elif record.status == "uebersprungen":
            skipped += 1
    if skipped:
        error(f"{skipped} Dokumente wurden übersprungen; die Gründe stehen im Bericht.")
