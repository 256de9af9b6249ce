"""Readable German summaries of parsed Vorlagen for the terminal (rich)."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.presenter_ingest import PARSE_STATUS, parse_quality_rows
from assistant.presenter_konzept import konzept_lines
from assistant.schema import Beratungsschritt, ParseQuality, Vorlage

MISSING = "–"
PREVIEW_WORDS = 12
WIDE = 120  # terminal columns from which the overview shows Art and Entscheidung


def render_details(console: Console, vorlage: Vorlage) -> None:
    """Everything a clerk checks first about one parsed Vorlage."""
    console.print(Text(vorlage.betreff or "(ohne Betreff)", style="bold"), soft_wrap=True)
    console.print(Text(f"Datei: {vorlage.source.path}", style="dim"), soft_wrap=True)
    if vorlage.konzept is not None:
        console.print(Text("\n".join(konzept_lines(vorlage.konzept))), soft_wrap=True)
        console.print()
        return
    console.print(_fields(vorlage))
    console.print(_beratungsfolge(vorlage.beratungsfolge))
    if vorlage.parse_quality is not None:
        console.print(_quality(vorlage.parse_quality))
    console.print()


def render_overview(console: Console, vorlagen: list[Vorlage]) -> None:
    """One row per Vorlage, for several files at once; more columns on wide terminals."""
    wide = console.width >= WIDE
    table = Table(title=_count(len(vorlagen)), box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Vorlagen-Nr.", no_wrap=True)
    table.add_column("Datum", no_wrap=True)
    table.add_column("Kommune", max_width=22)
    if wide:
        table.add_column("Art", max_width=22)
        table.add_column("Entscheidung", max_width=30)
    table.add_column("Betreff / Datei", ratio=1, min_width=24)
    table.add_column("Erkannt", max_width=24)
    for vorlage in vorlagen:
        row = [vorlage.vorlagen_nr or MISSING, _date(vorlage.datum), vorlage.kommune or MISSING]
        if wide:
            row += [vorlage.art or MISSING, _deciding_body(vorlage.beratungsfolge)]
        title = Text(vorlage.betreff or "(ohne Betreff)")
        title.append("\n" + PurePath(vorlage.source.path).name, style="dim")
        quality = vorlage.parse_quality
        table.add_row(
            *row, title, PARSE_STATUS.get(quality.status, MISSING) if quality else MISSING
        )
    console.print(table)


def _fields(vorlage: Vorlage) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    rows = {
        "Vorlagen-Nr.": vorlage.vorlagen_nr or MISSING,
        "Art": vorlage.art or MISSING,
        "Kommune": vorlage.kommune or MISSING,
        "Datum": _date(vorlage.datum),
        "Öffentlich": _yes_no(vorlage.oeffentlich),
        "Federführung": vorlage.federfuehrung or MISSING,
        "Beschlussvorschlag": _text_summary(vorlage.beschlussvorschlag),
        "Sachdarstellung": _text_summary(vorlage.sachdarstellung),
        "Finanzielle Auswirkungen": "vorhanden" if vorlage.finanzielle_auswirkungen else "keine",
        "Anlagen": _anlagen(vorlage.anlagen),
    }
    for key, value in rows.items():
        grid.add_row(key, value)
    return grid


def _quality(quality: ParseQuality) -> Table:
    """How well the document was read: the result, the fields found and missing, the reader."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in parse_quality_rows(quality):
        grid.add_row(label, value)
    return grid


def _beratungsfolge(schritte: list[Beratungsschritt]) -> Table | Text:
    if not schritte:
        return Text("Beratungsfolge: nicht angegeben")
    table = Table(title="Beratungsfolge", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("Gremium", "Rolle", "Datum", "Öffentlich", "Ergebnis"):
        table.add_column(column)
    for schritt in schritte:
        table.add_row(
            schritt.gremium,
            schritt.rolle or MISSING,
            _date(schritt.datum),
            _yes_no(schritt.oeffentlich, missing=MISSING),
            schritt.ergebnis or MISSING,
        )
    return table


def _text_summary(text: str | None) -> str:
    if not text:
        return "nicht gefunden"
    words = text.split()
    preview = " ".join(words[:PREVIEW_WORDS])
    more = " …" if len(words) > PREVIEW_WORDS else ""
    return f"{_number(len(words))} Wörter, {_number(len(text))} Zeichen: „{preview}{more}“"


def _anlagen(anlagen: list[str]) -> str:
    if not anlagen:
        return "keine"
    return f"{len(anlagen)}: " + "; ".join(anlagen)


def _deciding_body(schritte: list[Beratungsschritt]) -> str:
    deciding = [s.gremium for s in schritte if s.rolle == "Entscheidung"]
    return deciding[-1] if deciding else MISSING


def _date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else MISSING


def _yes_no(value: bool | None, missing: str = "nicht angegeben") -> str:
    if value is None:
        return missing
    return "ja" if value else "nein"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _count(n: int) -> str:
    return "1 Vorlage" if n == 1 else f"{n} Vorlagen"
