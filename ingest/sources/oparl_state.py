"""Where an OParl sync stopped: the state file (see ``ingest.sources.oparl_api``)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError

STATE_VERSION = 1


# ---------------------------------------------------------------------------------------------
# State


@dataclass
class Walk:
    page: str
    since: str | None = None
    started: str | None = None
    max_modified: str | None = None
    done: list[str] = field(default_factory=list)


@dataclass
class BodyState:
    mark: str | None = None
    walk: Walk | None = None
    retry: list[str] = field(default_factory=list)
    """Papers that failed (unreachable file, server error): fetched again on every new walk
    until they succeed, because an incremental walk would not list them again."""


class SyncState:
    """The JSON state file: per Body the ``modified_since`` mark and the walk in progress."""

    def __init__(
        self, path: Path, bodies: dict[str, BodyState] | None = None, *, deferred: bool = False
    ) -> None:
        self.path = path
        self.bodies: dict[str, BodyState] = bodies or {}
        self.deferred = deferred
        """``save()`` only marks the state dirty; ``flush()`` writes it."""
        self.dirty = False

    @classmethod
    def load(cls, path: Path, *, deferred: bool = False) -> SyncState:
        if not path.exists():
            return cls(path, deferred=deferred)
        try:
            data = json.loads(path.read_text("utf-8"))
            bodies = {
                key: BodyState(
                    mark=entry.get("mark"),
                    walk=Walk(**entry["walk"]) if entry.get("walk") else None,
                    retry=list(entry.get("retry") or []),
                )
                for key, entry in data["bodies"].items()
            }
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"state version {data.get('version')}")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise IngestError(
                f"Die OParl-Statusdatei {path} ist beschädigt oder unlesbar; löschen Sie sie, "
                "um wieder vollständig zu synchronisieren."
            ) from err
        return cls(path, bodies, deferred=deferred)

    def body(self, key: str) -> BodyState:
        return self.bodies.setdefault(key, BodyState())

    def save(self) -> None:
        """Write the state now, or mark it for the next ``flush()`` when deferred."""
        self.dirty = True
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        """Write the state atomically (temp file + ``os.replace``) if it changed."""
        if not self.dirty:
            return
        self.dirty = False
        data = {
            "version": STATE_VERSION,
            "bodies": {
                key: {
                    "mark": entry.mark,
                    "walk": None if entry.walk is None else entry.walk.__dict__,
                    "retry": entry.retry,
                }
                for key, entry in self.bodies.items()
            },
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
