"""The Draft as a Markdown document (same sections as the Word template)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ") or " "


def _section(title: str, text: str, empty: str = "keine Angabe") -> list[str]:
    return [f"## {title}", "", text or f"_{empty}_", ""]


def render_markdown(context: Mapping[str, Any]) -> str:
    """Markdown from the context of :func:`assistant.export.context.build_context`."""
    lines: list[str] = []
    if context["pruefhinweise"]:
        lines += [
            "## Prüfhinweise",
            "",
            "**Dieser Entwurf hat die automatische Prüfung nicht bestanden und wurde trotzdem "
            "exportiert.**",
            "",
            *[f"- {h['text']}" for h in context["pruefhinweise"]],
            "",
        ]
    lines += [f"# {context['art']}: {context['betreff']}", ""]
    lines += ["| | |", "|---|---|"]
    for row in context["kopf"]:
        lines.append(f"| {row['label']} | {_cell(row['value'])} |")
    lines += ["", f"> _{context['ki_hinweis']}_", ""]

    lines += ["## Beratungsfolge", ""]
    if context["beratungsfolge"]:
        lines += ["| Gremium | Rolle | Sitzung | Öffentlichkeit |", "|---|---|---|---|"]
        lines += [
            f"| {_cell(s['gremium'])} | {_cell(s['rolle'])} | {_cell(s['datum'])} "
            f"| {_cell(s['oeffentlich'])} |"
            for s in context["beratungsfolge"]
        ]
    else:
        lines.append("_keine Angabe_")
    lines.append("")

    lines += _section("Beschlussvorschlag", context["beschlussvorschlag"])
    lines += _section("Sachdarstellung", context["sachdarstellung"])
    if context["begruendung"]:
        lines += _section("Begründung", context["begruendung"])
    lines += _section("Finanzielle Auswirkungen", context["finanzielle_auswirkungen"])
    anlagen = "\n".join(f"{i}. {a}" for i, a in enumerate(context["anlagen"], 1))
    lines += _section("Anlagen", anlagen, empty="keine")
    quellen = "\n".join(f"- {q['text']}" for q in context["quellen"])
    lines += _section("Quellen", quellen, empty="keine")
    return "\n".join(lines).rstrip() + "\n"
