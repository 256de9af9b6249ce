"""``vorlagen draft``, ``vorlagen validate`` and ``vorlagen export``: drafting, checking and
exporting a Vorlage text.

Registered on the main ``vorlagen`` app by :func:`register` (see ``api/cli.py``).

Exit codes (as everywhere in the CLI, plus what a check result means):

* 0: done, and the draft passes the checks (warnings allowed);
* 1: the draft has errors (``draft`` still writes it, with its findings; ``validate`` lists
  them; ``export`` refuses it unless ``--erzwingen``), or bad input (an unreadable or broken
  file, an empty store, a failing model or index): then one German sentence on stderr and
  nothing is written;
* 2: a wrong call (missing Betreff, unknown format, malformed ``--beratung``).

``export`` always checks the draft again before exporting (the checks are deterministic and a
clerk may have edited the JSON since it was checked); the stored ``validation`` is replaced.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli_common import (
    ARGUMENTS,
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
from assistant.drafting import DraftDone, DraftEvent, DraftingService
from assistant.export import FORMATS, ExportError, ExportRefused, export
from assistant.ports import BackendError
from assistant.presenter import (
    ROLLEN,
    SEARCHING,
    draft_finished,
    draft_progress,
    finding_line,
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
    export_checked,
    export_format,
    export_options,
    prepare_request,
    revalidate,
)
from assistant.usecases.errors import InvalidRequest

log = logging.getLogger("vorlagen")

EXIT_FINDINGS = 1


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--ausgabe",
        metavar="DATEI",
        help="In diese Datei schreiben (Voreinstellung: Standardausgabe; bei docx Pflicht).",
        rich_help_panel=OPTIONS,
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``draft``, ``validate`` and ``export`` to the ``vorlagen`` app."""
    app.command("draft", add_help_option=False, rich_help_panel="Befehle")(draft)
    app.command("validate", add_help_option=False, rich_help_panel="Befehle")(validate_command)
    app.command("export", add_help_option=False, rich_help_panel="Befehle")(export_command)


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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"Die Datei {path} bei {option} ist keine UTF-8-Textdatei.", EXIT_BAD_INPUT)
    except OSError:
        fail(f"Die Datei {path} bei {option} kann nicht gelesen werden.", EXIT_BAD_INPUT)
    if len(text) > MAX_FAKTEN_CHARS:
        fail(
            f"Die Datei {path} bei {option} ist zu lang (höchstens {MAX_FAKTEN_CHARS} Zeichen).",
            EXIT_BAD_INPUT,
        )
    return text


def _load_draft(path: Path) -> Draft:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"Die Datei {path} ist keine UTF-8-Textdatei.", EXIT_BAD_INPUT)
    except OSError:
        fail(f"Die Datei {path} kann nicht gelesen werden.", EXIT_BAD_INPUT)
    try:
        return Draft.model_validate_json(text)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "Inhalt"
        kind = "kein JSON" if first["type"] == "json_invalid" else "kein gültiger Entwurf"
        fail(
            f"Die Datei {path} ist {kind} (erster Fehler bei „{where}“: {first['msg']}).",
            EXIT_BAD_INPUT,
        )


def _write(data: bytes, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError:
        fail(f"Die Datei {output} kann nicht geschrieben werden.", EXIT_BAD_INPUT)


def _output_format(fmt: str, allowed: tuple[str, ...], output: Path | None) -> str:
    """The format ``fmt`` names (exit 2 when unknown); docx needs an output file."""
    try:
        kind = export_format(fmt, allowed)
    except InvalidRequest as err:
        fail(str(err), EXIT_USAGE)
    if kind == "docx" and (output is None or str(output) == "-"):
        fail("Für das Format docx bitte mit -o eine Ausgabedatei angeben.", EXIT_USAGE)
    return kind


def _finding_lines(draft: Draft) -> list[str]:
    report = draft.validation
    findings = (*report.errors, *report.warnings) if report is not None else ()
    return [finding_line(finding) for finding in findings]


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
    kind = _output_format(fmt, DRAFT_FORMATS, output)
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
    for line in _finding_lines(result):
        typer.echo(line, err=True)
    typer.echo(validation_summary(result.validation), err=True)
    try:
        data = export(result, kind, force=True)
    except ExportError as err:
        fail(str(err), EXIT_BAD_INPUT)
    _write(data, output)
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


DraftPathArgument = Annotated[
    Path,
    typer.Argument(
        metavar="ENTWURF.json",
        help="Ein Entwurf als JSON (z. B. von vorlagen draft --format json).",
        rich_help_panel=ARGUMENTS,
        show_default=False,
    ),
]


# --- vorlagen validate ----------------------------------------------------------------------


def validate_command(
    path: DraftPathArgument,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Das Prüfergebnis als JSON ausgeben.", rich_help_panel=OPTIONS),
    ] = False,
    _help: HelpOption = False,
) -> None:
    """Einen Entwurf erneut prüfen und die Befunde auf Deutsch zeigen.

    Rückgabewert: 0 ohne Fehler (Hinweise erlaubt), 1 bei Fehlern oder einer unlesbaren
    Datei.
    """
    checked = revalidate(_load_draft(path))
    report = checked.validation
    assert report is not None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        for line in _finding_lines(checked):
            typer.echo(line)
        typer.echo(validation_summary(report))
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


# --- vorlagen export ------------------------------------------------------------------------


def export_command(
    path: DraftPathArgument,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="docx|md|json|oparl|html",
            help="Exportformat: docx (Word), md (Markdown), json (der Entwurf), oparl "
            "(OParl-Paper als JSON), html (zum Einfügen in Word).",
            rich_help_panel=OPTIONS,
        ),
    ] = "docx",
    output: OutputOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--erzwingen",
            help="Auch einen Entwurf mit Fehlern exportieren; die Befunde stehen dann "
            "sichtbar im Dokument.",
            rich_help_panel=OPTIONS,
        ),
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option(
            "--vorlage",
            metavar="VORLAGE.docx",
            help="Eine eigene Word-Vorlage der Kommune (nur bei docx).",
            rich_help_panel=OPTIONS,
            show_default=False,
        ),
    ] = None,
    _help: HelpOption = False,
) -> None:
    """Einen Entwurf als Word-Dokument, Markdown, JSON oder OParl-Paper ausgeben.

    Der Entwurf wird vor dem Export immer neu geprüft. Ein Entwurf mit Fehlern wird nur mit
    --erzwingen exportiert. Rückgabewert: 0 exportiert, 1 abgelehnt oder unlesbare Datei,
    2 falscher Aufruf.
    """
    try:
        kind = export_options(fmt, template)
    except InvalidRequest as err:
        fail(str(err), EXIT_USAGE)
    except ExportError as err:
        fail(str(err), EXIT_BAD_INPUT)
    _output_format(kind, FORMATS, output)
    loaded = _load_draft(path)
    try:
        exported = export_checked(loaded, kind, force=force, template=template)
    except ExportRefused as err:
        fail(str(err), EXIT_FINDINGS)
    except ExportError as err:
        fail(str(err), EXIT_BAD_INPUT)
    _write(exported.data, output)
    if output is not None and str(output) != "-":
        summary = validation_summary(exported.draft.validation)
        typer.echo(f"Geschrieben: {output} ({summary})", err=True)
