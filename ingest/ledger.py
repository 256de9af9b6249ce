"""The ingestion ledger: which source is done, with which Vorlage, and what the indexes hold.

One JSON file mapping each source (path or URL) to the Vorlage it yielded, the content hash of
the source, the recipe (parser, chunking, dense policy, embedder) and a digest of the chunks
each index holds for that Vorlage. It is written atomically (``ingest.atomic``), last in every
batch: only the ledger says a Vorlage is done. :meth:`Ledger.disagreements` names the Vorlagen
the indexes and the ledger disagree about, which ``IngestPipeline.recover`` deletes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.ports import BackendError, inconsistent_vorlagen, vorlage_of
from ingest.atomic import atomic_write

LEDGER_FORMAT = "vorlagen-ingest-ledger"
LEDGER_VERSION = 1


@dataclass(frozen=True)
class LedgerEntry:
    """A source that is done: its Vorlage and what both indexes hold for it.

    ``keyword`` / ``dense`` are :func:`manifest_digest` of that Vorlage's chunks in each index.
    """

    vorlage_id: str
    content_hash: str
    recipe: str
    keyword: str
    dense: str
    chunks: int
    dense_chunks: int

    def with_hash(self, content_hash: str) -> LedgerEntry:
        """The same entry for another source with this content hash (a duplicate)."""
        return LedgerEntry(**{**asdict(self), "content_hash": content_hash})


def manifest_digest(manifest: Mapping[str, str]) -> str:
    """A digest of chunk id -> fingerprint pairs (order-independent)."""
    lines = "".join(f"{cid}={fp}\n" for cid, fp in sorted(manifest.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:16]


def group_by_vorlage(manifest: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """chunk id -> fingerprint, split per Vorlage id."""
    groups: dict[str, dict[str, str]] = {}
    for cid, fp in manifest.items():
        groups.setdefault(vorlage_of(cid), {})[cid] = fp
    return groups


class Ledger:
    """Source key -> :class:`LedgerEntry`, in one JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, LedgerEntry] = {}

    def load(self) -> None:
        if not self.path.exists():
            self.entries = {}
            return
        broken = BackendError(
            f"Das Importprotokoll {self.path} ist beschädigt. Bitte den Index neu aufbauen: "
            "vorlagen ingest --rebuild PFAD..."
        )
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != LEDGER_FORMAT or data.get("version") != LEDGER_VERSION:
                raise broken
            self.entries = {k: LedgerEntry(**v) for k, v in data["entries"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            raise broken from err

    def save(self) -> None:
        """Write atomically: temporary file, fsync, rename over the ledger, fsync the directory."""
        data = {
            "format": LEDGER_FORMAT,
            "version": LEDGER_VERSION,
            "entries": {k: asdict(v) for k, v in sorted(self.entries.items())},
        }
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=0))

    def vorlage_ids(self) -> set[str]:
        return {entry.vorlage_id for entry in self.entries.values()}

    def owner(self, vorlage_id: str, recipe: str, besides: str) -> LedgerEntry | None:
        """An entry of another source that yielded ``vorlage_id`` with the same recipe."""
        for key, entry in self.entries.items():
            if key != besides and entry.vorlage_id == vorlage_id and entry.recipe == recipe:
                return entry
        return None

    def entry_for(self, vorlage_id: str, recipe: str) -> LedgerEntry | None:
        """An entry of any source that yielded ``vorlage_id`` with ``recipe``."""
        for entry in self.entries.values():
            if entry.vorlage_id == vorlage_id and entry.recipe == recipe:
                return entry
        return None

    def shared(self, vorlage_id: str, besides: str) -> bool:
        return any(e.vorlage_id == vorlage_id for k, e in self.entries.items() if k != besides)

    def disagreements(self, dense: dict[str, str], keyword: dict[str, str]) -> set[str]:
        """Vorlagen in an index but not done here, inconsistent between the indexes
        (``inconsistent_vorlagen``), or whose chunks differ from the digests recorded here.

        ``dense`` / ``keyword``: the indexes' manifests (chunk id -> fingerprint).
        """
        done = self.vorlage_ids()
        dense_by = group_by_vorlage(dense)
        keyword_by = group_by_vorlage(keyword)
        bad = (set(dense_by) | set(keyword_by)) - done
        bad |= inconsistent_vorlagen(dense, keyword)
        for entry in self.entries.values():
            if entry.keyword != manifest_digest(keyword_by.get(entry.vorlage_id, {})) or (
                entry.dense != manifest_digest(dense_by.get(entry.vorlage_id, {}))
            ):
                bad.add(entry.vorlage_id)
        return bad
