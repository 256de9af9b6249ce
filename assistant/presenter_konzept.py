"""The German wording of concepts (Integrationskonzepte): labels of hits and citations, and the
structure ``vorlagen parse`` shows (docs/konzepte.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from assistant.schema import Konzept

__all__ = ["konzept_label", "konzept_lines", "massnahme_reference", "stand_lines"]


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


# --- vorlagen konzept stand ---------------------------------------------------------------------


class _Fund(Protocol):
    @property
    def vorlagen_nr(self) -> str | None: ...
    @property
    def betreff(self) -> str | None: ...
    @property
    def datum(self) -> date | None: ...
    @property
    def regel(self) -> str: ...
    @property
    def passage(self) -> str: ...


class _Measure(Protocol):
    @property
    def nummer(self) -> str: ...
    @property
    def titel(self) -> str: ...
    @property
    def vorlagen(self) -> Sequence[_Fund]: ...


class _Field(Protocol):
    @property
    def titel(self) -> str: ...
    @property
    def vorlagen(self) -> Sequence[_Fund]: ...


class _Stand(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def beschluss(self) -> _Fund | None: ...
    @property
    def massnahmen(self) -> Sequence[_Measure]: ...
    @property
    def handlungsfelder(self) -> Sequence[_Field]: ...
    @property
    def vorlagen_geprueft(self) -> int: ...


def _fund_line(fund: _Fund) -> str:
    when = f" vom {fund.datum.strftime('%d.%m.%Y')}" if fund.datum else ""
    return f"Vorlage {fund.vorlagen_nr or 'ohne Nr.'}{when} – {fund.regel}: „{fund.passage}“"


def stand_lines(stand: _Stand) -> list[str]:
    """``vorlagen konzept stand``: the adopting Vorlage, per measure the Vorlagen that took it
    up with the passage, the measures without any, the Handlungsfelder named in Vorlagen."""
    taken = [m for m in stand.massnahmen if m.vorlagen]
    open_ = [m for m in stand.massnahmen if not m.vorlagen]
    lines = [stand.label]
    lines.append(
        f"Beschlossen mit {_fund_line(stand.beschluss)}"
        if stand.beschluss
        else "Die beschließende Vorlage ist im Index nicht gefunden worden."
    )
    lines.append(f"Geprüft: {stand.vorlagen_geprueft} Vorlagen derselben Kommune.")
    lines.append(f"Maßnahmen mit Vorlagen: {len(taken)} von {len(stand.massnahmen)}")
    for measure in taken:
        lines.append(f"  Maßnahme {measure.nummer}: {measure.titel}")
        lines.extend(f"    {_fund_line(fund)}" for fund in measure.vorlagen)
    lines.append(f"Maßnahmen ohne Vorlage: {len(open_)}")
    lines.extend(f"  Maßnahme {m.nummer}: {m.titel}" for m in open_)
    named = [f for f in stand.handlungsfelder if f.vorlagen]
    if named:
        lines.append("Handlungsfelder, die Vorlagen nennen:")
        for feld in named:
            lines.append(f"  {feld.titel}")
            lines.extend(f"    {_fund_line(fund)}" for fund in feld.vorlagen)
    return lines
