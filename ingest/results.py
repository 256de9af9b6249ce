"""What an ingestion run reports: its counts and failures, and its progress per document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Failure:
    """A document that could not be ingested and the German reason."""

    key: str
    reason: str


@dataclass(frozen=True)
class Incomplete:
    """A document stored although neither its resolution nor its facts were found.

    ``status`` is ``unvollstaendig`` or ``deckblatt`` (``ingest.quality``); the entry point
    names it apart from the failures, with the presenter's wording.
    """

    key: str
    status: str


@dataclass
class IngestSummary:
    """What a run did; ``failed`` keeps every failing document with its reason, ``incomplete``
    every stored document without Beschlussvorschlag and Sachdarstellung (``Incomplete``)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)
    incomplete: list[Incomplete] = field(default_factory=list)
    repaired: int = 0
    chunks_written: int = 0
    dense_written: int = 0
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicates + len(self.failed)


@dataclass(frozen=True)
class Progress:
    """Reported after each document: counts so far, and an estimate of the time left."""

    done: int
    total: int
    summary: IngestSummary
    key: str
    elapsed_s: float
    eta_s: float | None


ProgressCallback = Callable[[Progress], None]
