"""The parsed Vorlagen of a store, one JSON file each (``assistant.ports.VorlageRecords``).

The indexes hold chunks for search; a clerk who opens a found Vorlage wants to see it as it
was parsed: its header fields, the Beratungsfolge and every section. The ingestion pipeline
keeps each Vorlage it commits here, in ``<store>/vorlagen/<id>.json`` (the canonical schema's
JSON, ``Vorlage.model_dump_json``).

Writes are atomic (a temporary file in the same directory, fsynced and renamed over the
target), so a crash leaves the old record or the new one. The pipeline writes a record before
it commits its ledger and deletes one after the indexes gave the Vorlage up; a record left by
a crash in between is harmless: it is what was parsed, its own ``oeffentlich`` decides who may
open it, and the next run writes or deletes it again.

Ids are checked before they become file names: only the ids this project makes (hex digits,
:func:`assistant.schema.vorlage_id`) and other printable ASCII without path separators are
accepted; anything else is treated as unknown.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pydantic import ValidationError

from assistant.schema import Vorlage

__all__ = ["JsonVorlageRecords"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")


class JsonVorlageRecords:
    """Parsed Vorlagen as JSON files in ``directory`` (created on the first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"JsonVorlageRecords({str(self.directory)!r})"

    def _path(self, vorlage_id: str) -> Path | None:
        if not _SAFE_ID.match(vorlage_id) or ".." in vorlage_id:
            return None
        return self.directory / f"{vorlage_id.replace(':', '_')}.json"

    def put(self, vorlage: Vorlage) -> None:
        """Keep ``vorlage`` (replacing an earlier record of the same id), atomically."""
        path = self._path(vorlage.id)
        if path is None:
            return  # not a file name: such a Vorlage cannot be opened, it is still searchable
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(vorlage.model_dump_json())
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, vorlage_id: str) -> Vorlage | None:
        """The record of ``vorlage_id``, or ``None`` (unknown, unreadable or not a valid id)."""
        path = self._path(vorlage_id)
        if path is None or not path.is_file():
            return None
        try:
            return Vorlage.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def has(self, vorlage_id: str) -> bool:
        """Whether a record of ``vorlage_id`` exists (without reading it)."""
        path = self._path(vorlage_id)
        return path is not None and path.is_file()

    def delete(self, vorlage_id: str) -> None:
        """Forget ``vorlage_id``'s record (nothing happens when there is none)."""
        path = self._path(vorlage_id)
        if path is not None:
            path.unlink(missing_ok=True)

    def reset(self) -> None:
        """Forget every record."""
        if self.directory.is_dir():
            for path in self.directory.glob("*.json"):
                path.unlink(missing_ok=True)
