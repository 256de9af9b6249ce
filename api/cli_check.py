"""``vorlagen validate`` and ``vorlagen export``: checking a draft file again and exporting it.

Registered on the main ``vorlagen`` app by :func:`register` (see ``api/cli.py``). Exit codes as
in ``api/cli_draft.py``. ``export`` always checks the draft again before exporting (the checks
are deterministic and a clerk may have edited the JSON since it was checked); the stored
``validation`` is replaced.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import EXIT_BAD_INPUT, EXIT_USAGE, OPTIONS, HelpOption, fail
from api.cli_draft_io import (
    EXIT_FINDINGS,
    DraftPathArgument,
    OutputOption,
    finding_lines,
    load_draft,
    output_format,
    write_output,
)
from assistant.export import FORMATS, ExportError, ExportRefused
from assistant.presenter import validation_summary
from assistant.usecases.drafts import export_checked, export_options, revalidate
from assistant.usecases.errors import InvalidRequest


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``export`` to the ``vorlagen`` app."""
    app.command("validate", add_help_option=False, rich_help_panel="Befehle")(validate_command)
    app.command("export", add_help_option=False, rich_help_panel="Befehle")(export_command)


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
    checked = revalidate(load_draft(path))
    report = checked.validation
    assert report is not None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        for line in finding_lines(checked):
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
    output_format(kind, FORMATS, output)
    loaded = load_draft(path)
    try:
        exported = export_checked(loaded, kind, force=force, template=template)
    except ExportRefused as err:
        fail(str(err), EXIT_FINDINGS)
    except ExportError as err:
        fail(str(err), EXIT_BAD_INPUT)
    write_output(exported.data, output)
    if output is not None and str(output) != "-":
        summary = validation_summary(exported.draft.validation)
        typer.echo(f"Geschrieben: {output} ({summary})", err=True)
