"""The German wording of concepts (Integrationskonzepte): labels of hits and citations, and the
structure ``vorlagen parse`` shows (docs/konzepte.md)."""

from __future__ import annotations

import re

from assistant.schema import Konzept

__all__ = ["konzept_label", "konzept_lines", "massnahme_reference"]


def _title(titel: str | None, zeitraum: str | None) -> str:
    """The title with the period, unless the title names its years already."""
    name = titel or "Konzept"
    if not zeitraum or all(year in name for year in re.findall(r"\d{4}", zeitraum)):
        return name
    return f"{name} {zeitraum}"


def konzept_label(
    titel: str | None,
    zeitraum: str | None = None,
    kommune: str | None = None,
    handlungsfeld: str | None = None,
    massnahme: str | None = None,
) -> str:
    """ "Integrationskonzept 2023–2026 (Landkreis Musterhausen), Handlungsfeld Sprache,
    Maßnahme 1.2": how a search hit or a source names a passage of a concept."""
    label = _title(titel, zeitraum)
    if kommune:
        label += f" ({kommune})"
    if handlungsfeld:
        label += f", Handlungsfeld {handlungsfeld}"
    if massnahme:
        label += f", Maßnahme {massnahme}"
    return label


def massnahme_reference(titel: str | None, zeitraum: str | None, massnahme: str) -> str:
    """ "Maßnahme 3.2 des Integrationskonzepts 2023–2026": a measure named in a sentence."""
    name = _GENITIVE.sub(r"\1s", titel or "Konzept", count=1)
    return f"Maßnahme {massnahme} des {_title(name, zeitraum)}"


# the last "…konzept" / "…plan" / "…programm" of a title takes the genitive s
_GENITIVE = re.compile(r"(konzept|plan|programm)\b(?!.*(?:konzept|plan|programm)\b)")


def konzept_lines(konzept: Konzept) -> list[str]:
    """The recognised structure, one line per table-of-contents check, field and measure."""
    found = sum(1 for e in konzept.inhaltsverzeichnis if e.gefunden)
    lines = [
        f"Konzept: {konzept_label(konzept.titel, konzept.zeitraum, konzept.kommune)}",
        f"Aufbau: {LAYOUTS.get(konzept.layout, konzept.layout)}",
    ]
    if konzept.inhaltsverzeichnis:
        lines.append(
            f"Inhaltsverzeichnis: {len(konzept.inhaltsverzeichnis)} Einträge, "
            f"{found} davon im Text gefunden"
        )
    if konzept.beschluss_vorlagen_nr:
        lines.append(f"Beschlossen mit Vorlage {konzept.beschluss_vorlagen_nr}")
    lines.append(f"Handlungsfelder: {len(konzept.handlungsfelder)}")
    for feld in konzept.handlungsfelder:
        number = f"{feld.nummer} " if feld.nummer else ""
        lines.append(
            f"  {number}{feld.titel}: {len(feld.ziele)} Ziele, "
            f"{len(feld.indikatoren)} Indikatoren, {len(feld.massnahmen)} Maßnahmen"
        )
        for massnahme in feld.massnahmen:
            lines.append(f"    Maßnahme {massnahme.nummer}: {massnahme.titel}")
    return lines


LAYOUTS = {
    "handlungsfeld-kapitel": "Kapitel je Handlungsfeld",
    "leitsaetze-schwerpunkte": "Leitsätze und Schwerpunkte je Handlungsfeld",
    "ziel-indikatoren-massnahmen": "Ziel, Indikatoren und Maßnahmen je Handlungsfeld",
    "allgemein": "nummerierte Kapitel",
}
