"""The Draft as an HTML document for pasting into Word („Kopieren für Word“): the same
sections as the Word template, with real headings, tables and lists.

Every value is escaped (:func:`html.escape`): a text containing "<script>" or "&" stays text.
In the long texts a blank line starts a new paragraph, a single line break stays a line break
(``<br>``), and consecutive lines starting with "- ", "• " or "* " become a bulleted list,
those starting with "1. " or "1) " a numbered one. Tables get their borders from HTML
attributes Word understands; there are no classes, style attributes or scripts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

_BULLET = re.compile(r"^\s*[-•*–]\s+")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
# Presentational attributes, not style="…": Word reads them, and the page that puts the HTML
# on the clipboard allows no inline styles (its Content-Security-Policy).
_CELL = ' valign="top"'
_TABLE = ' border="1" cellspacing="0" cellpadding="4"'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _list_kind(line: str) -> tuple[str, re.Pattern[str]] | None:
    for tag, pattern in (("ul", _BULLET), ("ol", _NUMBERED)):
        if pattern.match(line):
            return tag, pattern
    return None


def _blocks(paragraph: str) -> list[str]:
    """One paragraph of a long text: runs of list lines as lists, other lines as a <p>."""
    out: list[str] = []
    lines: list[str] = []
    items: list[str] = []
    current: str | None = None

    def flush() -> None:
        nonlocal current
        if lines:
            out.append("<p>" + "<br>".join(_e(line) for line in lines) + "</p>")
            lines.clear()
        if items and current:
            out.append(f"<{current}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{current}>")
            items.clear()
        current = None

    for line in paragraph.splitlines():
        kind = _list_kind(line)
        if kind is None:
            if items:
                flush()
            lines.append(line.strip())
            continue
        tag, pattern = kind
        if lines or (current is not None and current != tag):
            flush()
        current = tag
        items.append(_e(pattern.sub("", line, count=1).strip()))
    flush()
    return out


def _section(title: str, paragraphs: Sequence[str], empty: str = "keine Angabe") -> list[str]:
    body = [block for p in paragraphs for block in _blocks(p)] or [f"<p><em>{_e(empty)}</em></p>"]
    return [f"<h2>{_e(title)}</h2>", *body]


def _table(head: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> str:
    parts = [f"<table{_TABLE}>"]
    if head:
        parts.append("<tr>" + "".join(f"<th{_CELL}>{_e(h)}</th>" for h in head) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td{_CELL}>{_e(c)}</td>" for c in row) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def render_html(context: Mapping[str, Any]) -> str:
    """HTML from the context of :func:`assistant.export.context.build_context`."""
    title = f"{context['art']}: {context['betreff']}"
    body: list[str] = []
    if context["pruefhinweise"]:
        body += [
            "<h2>Prüfhinweise</h2>",
            "<p><strong>Dieser Entwurf hat die automatische Prüfung nicht bestanden und wurde "
            "trotzdem exportiert.</strong></p>",
            "<ul>" + "".join(f"<li>{_e(h['text'])}</li>" for h in context["pruefhinweise"]),
            "</ul>",
        ]
    body += [f"<h1>{_e(title)}</h1>"]
    body.append(_table(None, [(row["label"], row["value"]) for row in context["kopf"]]))
    body.append(f"<p><em>{_e(context['ki_hinweis'])}</em></p>")
    body.append("<h2>Beratungsfolge</h2>")
    if context["beratungsfolge"]:
        rows = [
            (s["gremium"], s["rolle"], s["datum"], s["oeffentlich"])
            for s in context["beratungsfolge"]
        ]
        body.append(_table(("Gremium", "Rolle", "Sitzung", "Öffentlichkeit"), rows))
    else:
        body.append("<p><em>keine Angabe</em></p>")
    body += _section("Beschlussvorschlag", context["beschlussvorschlag_absaetze"])
    body += _section("Sachdarstellung", context["sachdarstellung_absaetze"])
    if context["begruendung"]:
        body += _section("Begründung", context["begruendung_absaetze"])
    body += _section("Finanzielle Auswirkungen", context["finanzielle_auswirkungen_absaetze"])
    body.append("<h2>Anlagen</h2>")
    if context["anlagen"]:
        body.append("<ol>" + "".join(f"<li>{_e(a)}</li>" for a in context["anlagen"]) + "</ol>")
    else:
        body.append("<p><em>keine</em></p>")
    body.append("<h2>Quellen</h2>")
    if context["quellen"]:
        body.append("<ul>" + "".join(f"<li>{_e(q['text'])}</li>" for q in context["quellen"]))
        body.append("</ul>")
    else:
        body.append("<p><em>keine</em></p>")
    head = f'<meta charset="utf-8"><title>{_e(title)}</title>'
    return (
        f'<!doctype html>\n<html lang="de"><head>{head}</head><body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )
