"""What ``vorlagen draft``, ``validate`` and ``export`` share: reading a draft file, writing
the output, the output format and the findings' lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli_common import ARGUMENTS, EXIT_BAD_INPUT, EXIT_USAGE, OPTIONS, fail
from assistant.presenter import finding_line
from assistant.schema import Draft
from assistant.usecases.drafts import export_format
from assistant.usecases.errors import InvalidRequest

EXIT_FINDINGS = 1
"""Exit code: the draft has errors (or an export was refused)."""


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


DraftPathArgument = Annotated[
    Path,
    typer.Argument(
        metavar="ENTWURF.json",
        help="Ein Entwurf als JSON (z. B. von vorlagen draft --format json).",
        rich_help_panel=ARGUMENTS,
        show_default=False,
    ),
]


def read_text_file(path: Path, where: str = "") -> str:
    """The UTF-8 text of ``path``; exit 1 with one German sentence when it cannot be read
    (``where``: e.g. " bei --fakten", named after the file)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"Die Datei {path}{where} ist keine UTF-8-Textdatei.", EXIT_BAD_INPUT)
    except OSError:
        fail(f"Die Datei {path}{where} kann nicht gelesen werden.", EXIT_BAD_INPUT)


def load_draft(path: Path) -> Draft:
    """The draft in ``path``; exit 1 with one German sentence when it is unreadable."""
    text = read_text_file(path)
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


def write_output(data: bytes, output: Path | None) -> None:
    """``data`` to ``output``, or to standard output for none or ``-``."""
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError:
        fail(f"Die Datei {output} kann nicht geschrieben werden.", EXIT_BAD_INPUT)


def output_format(fmt: str, allowed: tuple[str, ...], output: Path | None) -> str:
    """The format ``fmt`` names (exit 2 when unknown); docx needs an output file."""
    try:
        kind = export_format(fmt, allowed)
    except InvalidRequest as err:
        fail(str(err), EXIT_USAGE)
    if kind == "docx" and (output is None or str(output) == "-"):
        fail("Für das Format docx bitte mit -o eine Ausgabedatei angeben.", EXIT_USAGE)
    return kind


def finding_lines(draft: Draft) -> list[str]:
    """One German line per finding of the draft's stored check, errors first."""
    report = draft.validation
    findings = (*report.errors, *report.warnings) if report is not None else ()
    return [finding_line(finding) for finding in findings]
