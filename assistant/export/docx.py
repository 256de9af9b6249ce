"""The Draft as a Word document, filled into a docxtpl template.

The default template ``templates/beschlussvorlage.docx`` is built by ``build_template.py``; a
municipality's own template uses the same variables (docs/export.md). Templates are rendered in
a Jinja2 *sandbox* with ``StrictUndefined`` and XML autoescaping: a template cannot reach Python
internals, a misspelt variable is an error rather than a silent gap in an official document,
and text with "&" or "<" cannot break the document.

Texts keep their structure: a blank line in a text starts a new Word paragraph, a single line
break stays a line break.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from assistant.export.errors import ExportError

DEFAULT_TEMPLATE = "beschlussvorlage.docx"

_TEXT_KEYS = ("beschlussvorschlag", "sachdarstellung", "begruendung", "finanzielle_auswirkungen")


def default_template() -> bytes:
    """The bytes of the Beschlussvorlage template shipped in this package."""
    return files(__package__).joinpath("templates", DEFAULT_TEMPLATE).read_bytes()


def _word_text(text: str) -> str:
    # docxtpl turns "\a" into a new paragraph (same formatting) and "\n" into a line break.
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "\a".join(paragraphs)


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def render_docx(context: Mapping[str, Any], template: Path | str | bytes | None = None) -> bytes:
    """Fill ``template`` (a path, the bytes of a .docx, or ``None`` for the default)."""
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    if template is None:
        source: bytes = default_template()
    elif isinstance(template, bytes):
        source = template
    else:
        try:
            source = Path(template).read_bytes()
        except OSError as err:
            raise ExportError(f"Die Word-Vorlage {template} konnte nicht gelesen werden.") from err
    values = dict(context)
    for key in _TEXT_KEYS:
        values[key] = _word_text(values[key])
    try:
        document = DocxTemplate(io.BytesIO(source))
        document.render(values, jinja_env=_environment(), autoescape=True)
        out = io.BytesIO()
        document.save(out)
    except jinja2.UndefinedError as err:
        raise ExportError(
            f"Die Word-Vorlage verwendet eine unbekannte Variable ({err.message}); "
            "zulässig sind die in docs/export.md genannten."
        ) from err
    except jinja2.TemplateSyntaxError as err:
        raise ExportError(
            f"Die Word-Vorlage enthält einen Fehler in einem Platzhalter: {err.message}."
        ) from err
    except jinja2.exceptions.SecurityError as err:
        raise ExportError("Die Word-Vorlage greift auf nicht erlaubte Attribute zu.") from err
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise ExportError("Die Word-Vorlage ist keine gültige .docx-Datei.") from err
    return out.getvalue()
