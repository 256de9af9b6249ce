"""German wording of ingestion: progress, counts and result rows (part of
:mod:`assistant.presenter`, which re-exports it)."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from typing import Protocol

__all__ = [
    "OPARL_CONNECTING",
    "duration",
    "incomplete_reason",
    "ingest_counts",
    "ingest_failure",
    "ingest_incomplete",
    "ingest_rows",
    "oparl_progress",
    "parse_quality_rows",
]

#: Said while an OParl system is being contacted.
OPARL_CONNECTING = "OParl: Verbindung wird aufgebaut ..."


class _Counts(Protocol):
    """What the ingestion lines need of a summary (``ingest.results.IngestSummary``)."""

    @property
    def new(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def repaired(self) -> int: ...
    @property
    def chunks_written(self) -> int: ...
    @property
    def dense_written(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def failed(self) -> Sized: ...
    @property
    def incomplete(self) -> Sized: ...


def duration(seconds: float | None) -> str:
    """ "1:05 min", "42 s", or "–" when unknown."""
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d} min" if minutes else f"{secs} s"


def ingest_counts(summary: _Counts) -> str:
    """The running counts of an ingestion: "neu 3 · aktualisiert 0 · unverändert 5 · Fehler 1"."""
    return (
        f"neu {summary.new} · aktualisiert {summary.updated} · "
        f"unverändert {summary.unchanged} · Fehler {len(summary.failed)}"
    )


def oparl_progress(page: int, fetched: int, failed: int) -> str:
    return f"OParl: Seite {page}, {fetched} Vorlagen geholt, {failed} Fehler"


def ingest_rows(summary: _Counts) -> list[tuple[str, str]]:
    """The result of an ingestion as (label, value) rows, in the order they are shown."""
    rows = [
        ("Neu aufgenommen", str(summary.new)),
        ("Aktualisiert", str(summary.updated)),
        ("Unverändert übersprungen", str(summary.unchanged)),
        ("Doppelt (gleiche Vorlage aus anderer Quelle)", str(summary.duplicates)),
        ("Fehlgeschlagen", str(len(summary.failed))),
    ]
    if len(summary.incomplete):
        rows.append(
            (
                "Unvollständig (ohne Beschlussvorschlag und Sachdarstellung)",
                str(len(summary.incomplete)),
            )
        )
    if summary.repaired:
        rows.append(("Nach Abbruch bereinigt (Vorlagen)", str(summary.repaired)))
    rows.append(
        (
            "Geschriebene Abschnitte (davon Vektoren)",
            f"{summary.chunks_written} ({summary.dense_written})",
        )
    )
    rows.append(("Dauer", duration(summary.seconds)))
    return rows


def ingest_failure(key: str, reason: str) -> str:
    """One document that could not be ingested, with its German reason."""
    return f"Fehlgeschlagen: {key}: {reason}"


def incomplete_reason(status: str) -> str:
    """Why a stored document counts as unvollständig (``ParseQuality.status``)."""
    if status == "deckblatt":
        return "nur ein Deckblatt; der Text der Vorlage steht in einer Anlage."
    return "weder Beschlussvorschlag noch Sachdarstellung erkannt; bitte die Datei prüfen."


def ingest_incomplete(key: str, status: str) -> str:
    """One document stored without Beschlussvorschlag and Sachdarstellung, named as such."""
    return f"Unvollständig: {key}: {incomplete_reason(status)}"


#: The fields a parse quality names, as a clerk reads them.
PARSED_FIELDS: dict[str, str] = {
    "betreff": "Betreff",
    "vorlagen_nr": "Vorlagen-Nr.",
    "beschlussvorschlag": "Beschlussvorschlag",
    "sachdarstellung": "Sachdarstellung",
    "beratungsfolge": "Beratungsfolge",
}
#: ``ParseQuality.status`` as a clerk reads it.
PARSE_STATUS: dict[str, str] = {
    "vollstaendig": "vollständig",
    "teilweise": "teilweise erkannt",
    "kenntnisgabe": "Kenntnisgabe (ohne Beschlussvorschlag)",
    "deckblatt": "Deckblatt (der Text steht in einer Anlage)",
    "unvollstaendig": "unvollständig (weder Beschlussvorschlag noch Sachdarstellung)",
}


class _Quality(Protocol):
    """What the quality lines need of ``assistant.schema.ParseQuality``."""

    @property
    def profile(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def found(self) -> Sequence[str]: ...
    @property
    def missing(self) -> Sequence[str]: ...


def parse_quality_rows(quality: _Quality) -> list[tuple[str, str]]:
    """How well a document was read, as (label, value) rows for ``vorlagen parse``."""
    reader = (
        "allgemeine Erkennung (kein bekanntes System)"
        if quality.profile == "fallback"
        else f"Profil „{quality.profile}“"
    )
    return [
        ("Ergebnis", PARSE_STATUS.get(quality.status, quality.status)),
        ("Erkannt", ", ".join(PARSED_FIELDS.get(f, f) for f in quality.found) or "nichts"),
        ("Nicht erkannt", ", ".join(PARSED_FIELDS.get(f, f) for f in quality.missing) or "–"),
        ("Gelesen mit", reader),
    ]
