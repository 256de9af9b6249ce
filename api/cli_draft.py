"""``vorlagen draft``: drafting a Vorlage text (``validate`` and ``export`` are in
``api/cli_check.py``, what the three share in ``api/cli_draft_io.py``).

Registered on the main ``vorlagen`` app by :func:`register` (see ``api/cli.py``).

Exit codes (as everywhere in the CLI, plus what a check result means):

* 0: done, and the draft passes the checks (warnings allowed);
* 1: the draft has errors (``draft`` still writes it, with its findings; ``validate`` lists
  them; ``export`` refuses it unless ``--erzwingen``), or bad input (an unreadable or broken
  file, an empty store, a failing model or index): then one German sentence on stderr and
  nothing is written;
* 2: a wrong call (missing Betreff, unknown format, malformed ``--beratung``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_USAGE,
    OPTIONS,
    HelpOption,
    StoreOption,
    fail,
    load_services,
    open_store,
    parse_date,
)
from api.cli_draft_io import (
    EXIT_FINDINGS,
    OutputOption,
    finding_lines,
    output_format,
    read_text_file,
    write_output,
)
from assistant.drafting import DraftDone, DraftEvent, DraftingService
from assistant.export import ExportError, export
from assistant.ports import BackendError
from assistant.presenter import (
    ROLLEN,
    SEARCHING,
    draft_finished,
    draft_progress,
    invalid_input,
    rolle_named,
    validation_summary,
)
from assistant.retrieval import RetrievalError
from assistant.schema import (
    DEFAULT_DRAFT_K,
    MAX_FAKTEN_CHARS,
    Beratungsschritt,
    Draft,
    DraftRequest,
    SearchFilter,
)
from assistant.usecases.drafts import (
    DRAFT_FORMATS,
    prepare_request,
)
from assistant.usecases.errors import InvalidRequest

log = logging.getLogger("vorlagen")


def register(app: typer.Typer) -> None:
    """Add ``draft`` to the ``vorlagen`` app."""
    app.command("draft", add_help_option=False, rich_help_panel="Befehle")(draft)


# --- helpers --------------------------------------------------------------------------------


def _parse_date(value: str, where: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        fail(
            f"Das Datum „{value}“ bei {where} ist ungültig; erwartet wird TT.MM.JJJJ oder "
            "JJJJ-MM-TT.",
            EXIT_USAGE,
        )


def parse_beratung(value: str) -> Beratungsschritt:
    """ "Gremium;Rolle;Datum" (Rolle and Datum optional) as a Beratungsschritt."""
    parts = [p.strip() for p in value.split(";")]
    if len(parts) > 3 or not parts[0]:
        fail(
            f"Die Angabe „{value}“ bei --beratung ist ungültig; erwartet wird "
            "„Gremium;Rolle;Datum“, z. B. „Sozialausschuss;Vorberatung;2025-03-04“.",
            EXIT_USAGE,
        )
    rolle = None
    if len(parts) > 1 and parts[1]:
        rolle = rolle_named(parts[1])
        if rolle is None:
            fail(
                f"Die Rolle „{parts[1]}“ bei --beratung ist unbekannt; möglich sind: "
                f"{', '.join(ROLLEN)}.",
                EXIT_USAGE,
            )
    datum = _parse_date(parts[2], "--beratung") if len(parts) > 2 and parts[2] else None
    return Beratungsschritt.model_validate({"gremium": parts[0], "rolle": rolle, "datum": datum})


def _read_text(value: str | None, option: str) -> str | None:
    """The option's text, or the content of the file it names as ``@FILE``."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:])
    text = read_text_file(path, f" bei {option}")
    if len(text) > MAX_FAKTEN_CHARS:
        fail(
            f"Die Datei {path} bei {option} ist zu lang (höchstens {MAX_FAKTEN_CHARS} Zeichen).",
            EXIT_BAD_INPUT,
        )
    return text


# --- vorlagen draft -------------------------------------------------------------------------


def draft(
    betreff: Annotated[
        str,
        typer.Option(
            "--betreff",
            help="Der Betreff der Vorlage.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ],
    gremium: Annotated[
        str,
        typer.Option(
            "--gremium",
            help="Das Gremium, das entscheidet (z. B. „Gemeinderat“).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ],
    kommune: Annotated[
        str | None,
        typer.Option(
            "--kommune",
            help="Die Kommune (z. B. „Stadt Karlsruhe“); grenzt auch die Suche ein.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    beratung: Annotated[
        list[str] | None,
        typer.Option(
            "--beratung",
            metavar="GREMIUM;ROLLE;DATUM",
            help="Ein Schritt der Beratungsfolge, in zeitlicher Reihenfolge wiederholbar; Rolle "
            "(Vorberatung, Beratung, Entscheidung, Kenntnisnahme, Anhörung) und Datum "
            "(TT.MM.JJJJ) sind freiwillig. Ohne Angabe entscheidet --gremium allein.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    fakten: Annotated[
        str | None,
        typer.Option(
            "--fakten",
            metavar="TEXT|@DATEI",
            help="Die wesentlichen Fakten (Text oder @Datei). Zahlen, Daten und Beträge im "
            "Entwurf müssen hier oder in einer zitierten Quelle stehen.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    finanzen: Annotated[
        str | None,
        typer.Option(
            "--finanzen",
            metavar="TEXT|@DATEI",
            help="Der Text „Finanzielle Auswirkungen“ (oder „keine“). Er wird nie vom "
            "Sprachmodell geschrieben; fehlt er, meldet die Prüfung einen Fehler.",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    art: Annotated[
        str,
        typer.Option("--art", help="Die Art der Vorlage.", rich_help_panel=OPTIONS),
    ] = "Beschlussvorlage",
    federfuehrung: Annotated[
        str | None,
        typer.Option(
            "--federfuehrung",
            help="Das federführende Amt (Vorgabe: Einstellung vorlage.federfuehrung).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    aktenzeichen: Annotated[
        str | None,
        typer.Option(
            "--aktenzeichen", help="Das Aktenzeichen.", rich_help_panel=OPTIONS, show_default=False
        ),
    ] = None,
    k: Annotated[
        int,
        typer.Option(
            "-k",
            "--anzahl",
            metavar="N",
            help="Höchstens so viele ähnliche frühere Vorlagen heranziehen.",
            rich_help_panel=OPTIONS,
        ),
    ] = DEFAULT_DRAFT_K,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="md|json|docx",
            help="Ausgabeformat: md (Markdown), json (der Entwurf mit Prüfergebnis), docx.",
            rich_help_panel=OPTIONS,
        ),
    ] = "md",
    output: OutputOption = None,
    store: StoreOption = None,
    quiet: Annotated[
        bool,
        typer.Option("--leise", "-q", help="Keine Fortschrittsmeldungen.", rich_help_panel=OPTIONS),
    ] = False,
    _help: HelpOption = False,
) -> None:
    """Einen Entwurf für Sachdarstellung und Beschlussvorschlag schreiben lassen.

    Ähnliche frühere (öffentliche) Vorlagen werden gesucht und als Quellen [n] genannt. Die
    Sachdarstellung folgt der üblichen Gliederung: Ihre ganzen Sätze bleiben wörtlich,
    Stichpunkte formuliert das Sprachmodell aus (ein beanstandeter Absatz wird einmal neu
    geschrieben, sonst werden Ihre Stichpunkte übernommen). Den Satz des Beschlussvorschlags
    schreibt das Programm, das Sprachmodell ergänzt nur den Gegenstand. Fortschritt und
    Prüfbefunde erscheinen auf der Fehlerausgabe, der Entwurf auf der Standardausgabe (oder
    mit -o in einer Datei); ein Entwurf mit Fehlern wird mit sichtbaren Prüfhinweisen
    ausgegeben.

    Rückgabewert: 0, wenn der Entwurf die Prüfung besteht; 1, wenn er Fehler hat (er wird
    trotzdem ausgegeben) oder eine Eingabe nicht stimmt; 2 bei falschem Aufruf.
    """
    kind = output_format(fmt, DRAFT_FORMATS, output)
    steps = [parse_beratung(value) for value in beratung or []]
    try:
        request = prepare_request(
            DraftRequest(
                betreff=betreff,
                kommune=kommune,
                gremium=gremium,
                beratungsfolge=steps,
                art=art,
                fakten=_read_text(fakten, "--fakten") or "",
                finanzielle_auswirkungen=_read_text(finanzen, "--finanzen"),
                federfuehrung=federfuehrung,
                aktenzeichen=aktenzeichen,
                filters=SearchFilter(kommune=kommune),  # --kommune also restricts the search
                k=k,
            )
        )
    except ValidationError as err:
        fail(invalid_input(err), EXIT_USAGE)
    except InvalidRequest as err:
        fail(str(err), EXIT_USAGE)
    services = load_services()
    request = services.with_defaults(request)
    # an empty or unreadable index ends the command with one German sentence
    service = services.drafting_for(open_store(services, store))
    result = _run_draft(service, request, quiet)
    for line in finding_lines(result):
        typer.echo(line, err=True)
    typer.echo(validation_summary(result.validation), err=True)
    try:
        data = export(result, kind, force=True)
    except ExportError as err:
        fail(str(err), EXIT_BAD_INPUT)
    write_output(data, output)
    if result.validation is None or not result.validation.ok:
        raise typer.Exit(EXIT_FINDINGS)


def _run_draft(service: DraftingService, request: DraftRequest, quiet: bool) -> Draft:
    def say(message: str | None) -> None:
        if message and not quiet:
            typer.echo(message, err=True)

    async def run() -> Draft:
        final: Draft | None = None
        event: DraftEvent
        async for event in service.stream(request, tokens=False):
            say(draft_progress(event))
            if isinstance(event, DraftDone):
                final = event.draft
        assert final is not None
        return final

    started = time.perf_counter()
    say(SEARCHING)
    try:
        result = asyncio.run(run())
    except RetrievalError as err:
        fail(str(err), EXIT_USAGE)
    except BackendError as err:  # LLMError included
        fail(str(err), EXIT_BAD_INPUT)
    say(draft_finished(time.perf_counter() - started, service.chat.name))
    return result
