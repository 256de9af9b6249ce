"""Exports of a Draft: Markdown, JSON (the Draft), DOCX (docxtpl), OParl Paper JSON and HTML
(for pasting into Word).

:func:`export` is the one entry point. It refuses a draft whose validation has errors unless
``force=True``; a forced export shows the findings (DOCX, Markdown, HTML: a "Prüfhinweise" section
at the top; OParl: ``vorlagen:pruefhinweise``; JSON: the Draft's own ``validation`` field).
"""

from __future__ import annotations

import json as _json
from datetime import date
from pathlib import Path
from typing import Literal, get_args

from assistant.export.context import KI_HINWEIS, build_context, findings_of, rule_ids
from assistant.export.docx import default_template, render_docx
from assistant.export.errors import ExportError, ExportRefused
from assistant.export.html import render_html
from assistant.export.json import render_json
from assistant.export.markdown import render_markdown
from assistant.export.oparl import render_oparl
from assistant.schema import Draft

__all__ = [
    "FORMATS",
    "KI_HINWEIS",
    "ExportError",
    "ExportRefused",
    "Format",
    "build_context",
    "default_template",
    "export",
]

Format = Literal["md", "json", "docx", "oparl", "html"]
FORMATS: tuple[str, ...] = get_args(Format)
_ALIASES = {"markdown": "md", "word": "docx"}


def export(
    draft: Draft,
    fmt: str,
    *,
    force: bool = False,
    template: Path | str | bytes | None = None,
    today: date | None = None,
) -> bytes:
    """The draft in format ``fmt`` ("md", "json", "docx", "oparl", "html") as bytes (UTF-8 for
    text).

    Raises :class:`ExportRefused` when the draft's validation has errors (or the draft was
    never validated: rule ``unvalidated``) and ``force`` is false; :class:`ExportError` for
    an unknown format or an unusable Word ``template`` (only for "docx": a path or the bytes
    of a .docx; ``None`` takes the shipped default).
    ``today`` is the Datum printed when the draft states none (default: the current day).
    """
    kind = _ALIASES.get(fmt.lower().strip(), fmt.lower().strip())
    if kind not in FORMATS:
        raise ExportError(f"Unbekanntes Exportformat „{fmt}“; möglich sind: {', '.join(FORMATS)}.")
    if template is not None and kind != "docx":
        raise ExportError("Eine Word-Vorlage kann nur beim Format docx angegeben werden.")
    errors, _ = findings_of(draft)
    if errors and not force:
        raise ExportRefused(rule_ids(errors))
    if kind == "json":
        return render_json(draft).encode("utf-8")
    context = build_context(draft, forced=force, today=today)
    if kind == "md":
        return render_markdown(context).encode("utf-8")
    if kind == "html":
        return render_html(context).encode("utf-8")
    if kind == "oparl":
        paper = render_oparl(context)
        return (_json.dumps(paper, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return render_docx(context, template)
