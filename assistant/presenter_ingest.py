"""German wording of ingestion: progress, counts and result rows (part of
:mod:`assistant.presenter`, which re-exports it)."""

from __future__ import annotations

from collections.abc import Sized
from typing import Protocol

__all__ = [
    "OPARL_CONNECTING",
    "duration",
    "ingest_counts",
    "ingest_failure",
    "ingest_rows",
    "oparl_progress",
]

#: Said while an OParl system is being contacted.
OPARL_CONNECTING = "OParl: Verbindung wird aufgebaut ..."


class _Counts(Protocol):
    """What the ingestion lines need of a summary (``ingest.pipeline.IngestSummary``)."""

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
