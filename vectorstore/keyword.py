"""German BM25 keyword index (``assistant.ports.KeywordIndex``) on bm25s + PyStemmer.

Analysis: lower-case, split into word characters (``Kita-Neubau`` -> ``kita``, ``neubau``;
``BV/2023/162`` -> ``bv``, ``2023``, ``162``), drop one-character tokens and the German stopwords
below, stem with Snowball German (PyStemmer ``"german"``, which also folds umlauts and ß, so
*Maßnahmen* and *Massnahme* meet). The same analysis runs on chunks and queries.

Compound splitting: not done by default. Checked on PyPI for this project: ``compound-split``
(1.0.2, 2020) and ``split-words`` (0.1.3, 2023, a repackaging of CharSplit) both work here but
are unmaintained and ship 40-60 MB of n-gram tables; ``charsplit-fst`` is maintained but needs
Python 3.12 or newer (this project runs on 3.11). The analyser therefore takes an optional
``splitter`` (a word -> parts function); once a maintained one is usable, passing it is all it
takes (the index must then be rebuilt).

Storage: one JSON-lines file ``chunks.jsonl`` in the index directory (a header line with the
format and the count, then one :class:`Chunk` per line), beside Chroma's files under the store
directory. The BM25 matrix is not stored; it is rebuilt in memory from the chunks when the index
is loaded (measured on 2 cores: 1.5 s for 5,000 chunks, 32 s for 100,000, most of it re-analysing
the texts) and on the first query after a change (0.3 s for 5,000 chunks, 7 s for 100,000).
``persist()`` writes a temporary file in the same directory, fsyncs it, renames it over
``chunks.jsonl`` (atomic on POSIX) and fsyncs the directory, so a crash leaves either the old or
the new index, never a half-written one.

Consistency with the vector index (see ``assistant/ports.py``): both hold the same chunk ids
with the same fingerprints; ``manifest()`` returns them (chunk id -> ``Chunk.fingerprint()``)
and ``assistant.ports.inconsistent_vorlagen`` compares the two manifests. The keyword index holds
every chunk of a Vorlage, the vector index the subset that was embedded.

Filters (kommune, art, oeffentlich, since) are applied to the BM25 scores before the top ``k``
are chosen (a mask over the score vector), so a filter never returns fewer hits than exist.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from assistant.ports import BackendError
from assistant.schema import Chunk, Hit, SearchFilter

# bm25s sets its own logger to DEBUG on import; its progress lines are not for our users.
logging.getLogger("bm25s").setLevel(logging.WARNING)

FILE_NAME = "chunks.jsonl"
FORMAT = "vorlagen-keyword-index"
VERSION = 1

# Snowball's German stopword list (https://snowballstem.org/algorithms/german/stop.txt), plus
# abbreviations common in Vorlagen. Matched on the lower-cased word, before stemming.
_STOPWORDS_TEXT = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den des
    dem die das daß dass derselbe derselben denselben desselben demselben dieselbe dieselben
    dasselbe dazu dein deine deinem deinen deiner deines denn derer dessen dich dir du dies diese
    diesem diesen dieser dieses doch dort durch ein eine einem einen einer eines einig einige
    einigem einigen einiger einiges einmal er ihn ihm es etwas euer eure eurem euren eurer eures
    für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich mich mir ihr ihre
    ihrem ihren ihrer ihres euch im in indem ins ist jede jedem jeden jeder jedes jene jenem
    jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen man
    manche manchem manchen mancher manches mein meine meinem meinen meiner meines mit muss
    musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner
    seines selbst sich sie ihnen sind so solche solchem solchen solcher solches soll sollte
    sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor
    während war waren warst was weg weil weiter welche welchem welchen welcher welches wenn
    werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar
    zwischen
    sowie bzw ggf gem usw inkl vgl bzgl ca
"""
GERMAN_STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())

_WORD = re.compile(r"\w+")

Splitter = Callable[[str], Sequence[str]]


class GermanAnalyzer:
    """Text -> stems: lower-case, words, stopwords out, optional compound parts, Snowball German.

    Not thread-safe (the stemmer keeps state): one per index, used under the index's lock.
    """

    def __init__(
        self, stopwords: Iterable[str] = GERMAN_STOPWORDS, splitter: Splitter | None = None
    ) -> None:
        self.stopwords = frozenset(w.lower() for w in stopwords)
        self.splitter = splitter
        self._stemmer = Stemmer.Stemmer("german")

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in self.stopwords]
        if self.splitter is not None:
            words = [
                part.lower()
                for w in words
                for part in (w, *(p for p in self.splitter(w) if p.lower() != w))
                if len(part) > 1 and part.lower() not in self.stopwords
            ]
        stems: list[str] = self._stemmer.stemWords(words)
        return stems


class BM25Index:
    """German BM25 over chunk texts, persisted in ``directory``.

    Args:
        directory: where ``chunks.jsonl`` lives (created on the first ``persist()``); the
            convention is ``<store dir>/keyword``.
        k1 / b: BM25 parameters (Lucene variant).
        analyzer: the text analysis; :class:`GermanAnalyzer` by default.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        k1: float = 1.5,
        b: float = 0.75,
        analyzer: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.k1 = k1
        self.b = b
        self._analyzer = analyzer
        self._lock = threading.RLock()
        self._loaded = False
        self._chunks: dict[str, Chunk] = {}
        self._tokens: dict[str, array[int]] = {}
        self._by_vorlage: dict[str, set[str]] = {}
        self._fingerprints: dict[str, str] = {}
        self._vocab: dict[str, int] = {}
        self._built: _Built | None = None

    def __repr__(self) -> str:
        return f"BM25Index({str(self.directory)!r})"

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    # --- loading and saving -----------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the persisted chunks (if any) and build the BM25 matrix."""
        with self._lock:
            self._ensure_loaded()
            self._ensure_built()

    def _analyze(self, text: str) -> list[str]:
        if self._analyzer is None:
            self._analyzer = GermanAnalyzer()
        return self._analyzer(text)

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        if self.path.exists():
            for chunk in self._read():
                self._add(chunk)
        self._loaded = True

    def _read(self) -> list[Chunk]:
        broken = BackendError(
            f"Der Stichwortindex {self.path} ist beschädigt oder hat ein unbekanntes Format. "
            "Bitte den Index neu aufbauen: vorlagen ingest --rebuild PFAD..."
        )
        try:
            with self.path.open(encoding="utf-8") as handle:
                header: Any = json.loads(handle.readline() or "null")
                if not isinstance(header, dict) or header.get("format") != FORMAT:
                    raise broken
                if header.get("version") != VERSION:
                    raise broken
                chunks = [Chunk.model_validate_json(line) for line in handle if line.strip()]
        except (OSError, ValueError) as err:
            raise broken from err
        if len(chunks) != header.get("count"):
            raise broken
        return chunks

    def persist(self) -> None:
        """Write the index atomically (temp file, fsync, rename, fsync of the directory)."""
        with self._lock:
            self._ensure_loaded()
            self.directory.mkdir(parents=True, exist_ok=True)
            for stale in self.directory.glob(f".{FILE_NAME}.*.tmp"):
                stale.unlink(missing_ok=True)  # left by a crash during an earlier persist
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{FILE_NAME}.", suffix=".tmp", dir=self.directory
            )
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    header = {"format": FORMAT, "version": VERSION, "count": len(self._chunks)}
                    handle.write(json.dumps(header) + "\n")
                    for chunk in self._chunks.values():
                        handle.write(chunk.model_dump_json() + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    # --- writing ----------------------------------------------------------------------------

    def _add(self, chunk: Chunk) -> None:
        if chunk.id in self._chunks:
            self._remove(chunk.id)
        vocab = self._vocab
        ids = array("i", (vocab.setdefault(stem, len(vocab)) for stem in self._analyze(chunk.text)))
        self._chunks[chunk.id] = chunk
        self._tokens[chunk.id] = ids
        self._by_vorlage.setdefault(chunk.vorlage_id, set()).add(chunk.id)
        self._built = None

    def _remove(self, chunk_id: str) -> None:
        chunk = self._chunks.pop(chunk_id)
        del self._tokens[chunk_id]
        self._fingerprints.pop(chunk_id, None)
        ids = self._by_vorlage.get(chunk.vorlage_id)
        if ids is not None:
            ids.discard(chunk_id)
            if not ids:
                del self._by_vorlage[chunk.vorlage_id]
        self._built = None

    def upsert(self, chunks: Sequence[Chunk]) -> None:
        with self._lock:
            self._ensure_loaded()
            for chunk in chunks:
                if self._chunks.get(chunk.id) != chunk:
                    self._add(chunk)

    def delete_vorlage(self, vorlage_id: str) -> int:
        with self._lock:
            self._ensure_loaded()
            ids = list(self._by_vorlage.get(vorlage_id, ()))
            for chunk_id in ids:
                self._remove(chunk_id)
            return len(ids)

    def reset(self) -> None:
        with self._lock:
            self._loaded = True  # whatever is on disk is to be replaced
            self._chunks.clear()
            self._tokens.clear()
            self._by_vorlage.clear()
            self._fingerprints.clear()
            self._vocab.clear()
            self._built = None

    # --- reading ----------------------------------------------------------------------------

    def _ensure_built(self) -> _Built | None:
        if self._built is not None or not self._chunks:
            return self._built
        order = list(self._chunks)
        retriever = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        corpus = [self._tokens[cid] for cid in order]
        retriever.index((corpus, dict(self._vocab)), create_empty_token=False, show_progress=False)
        self._built = _Built(order, [self._chunks[cid] for cid in order], retriever)
        return self._built

    def query(self, text: str, k: int, where: SearchFilter | None = None) -> list[Hit]:
        if k < 1:
            raise ValueError("k must be at least 1")
        with self._lock:
            self._ensure_loaded()
            built = self._ensure_built()
            if built is None:
                return []
            token_ids = sorted({self._vocab[s] for s in self._analyze(text) if s in self._vocab})
            if not token_ids:
                return []
            scores = built.retriever.get_scores_from_ids(token_ids)
        if where is not None and not where.is_empty():
            scores = np.where(built.mask(where), scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        best = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), built.ids[i]))
        return [
            Hit(chunk=built.chunks[i], score=float(scores[i]), retriever="keyword") for i in best
        ]

    def count(self) -> int:
        with self._lock:
            self._ensure_loaded()
            return len(self._chunks)

    def ids_for(self, vorlage_id: str) -> set[str]:
        with self._lock:
            self._ensure_loaded()
            return set(self._by_vorlage.get(vorlage_id, ()))

    def vorlage_ids(self) -> set[str]:
        with self._lock:
            self._ensure_loaded()
            return set(self._by_vorlage)

    def chunks_of(self, vorlage_id: str) -> list[Chunk]:
        """That Vorlage's chunks, ordered by their ids (section, then ordinal)."""
        with self._lock:
            self._ensure_loaded()
            ids = self._by_vorlage.get(vorlage_id, set())
            return [self._chunks[cid] for cid in sorted(ids, key=_chunk_order)]

    def manifest(self) -> dict[str, str]:
        with self._lock:
            self._ensure_loaded()
            for cid, chunk in self._chunks.items():
                if cid not in self._fingerprints:
                    self._fingerprints[cid] = chunk.fingerprint()
            return dict(self._fingerprints)


def _chunk_order(chunk_id: str) -> tuple[str, int]:
    _, section, ordinal = chunk_id.rsplit(":", 2)
    return section, int(ordinal) if ordinal.isdigit() else 0


class _Built:
    """A BM25 matrix over a fixed list of chunks, with column arrays for the filters."""

    def __init__(self, ids: list[str], chunks: list[Chunk], retriever: Any) -> None:
        self.ids = ids
        self.chunks = chunks
        self.retriever = retriever
        self._columns: dict[str, np.ndarray[Any, Any]] = {}

    def _column(self, name: str) -> np.ndarray[Any, Any]:
        if name not in self._columns:
            if name == "datum":
                values: list[Any] = [
                    c.metadata.datum.toordinal() if c.metadata.datum else -1 for c in self.chunks
                ]
                self._columns[name] = np.array(values, dtype=np.int64)
            elif name == "oeffentlich":
                values = [
                    -1 if c.metadata.oeffentlich is None else int(c.metadata.oeffentlich)
                    for c in self.chunks
                ]
                self._columns[name] = np.array(values, dtype=np.int8)
            elif name == "kind":
                values = [c.metadata.document_kind() for c in self.chunks]
                self._columns[name] = np.array(values, dtype=object)
            else:
                values = [getattr(c.metadata, name) for c in self.chunks]
                self._columns[name] = np.array(values, dtype=object)
        return self._columns[name]

    def mask(self, where: SearchFilter) -> np.ndarray[Any, Any]:
        """True for the chunks ``where`` keeps (:meth:`SearchFilter.matches`, vectorised)."""
        keep = np.ones(len(self.chunks), dtype=bool)
        if where.kommune is not None:
            keep &= self._column("kommune") == where.kommune
        if where.art is not None:
            keep &= self._column("art") == where.art
        if where.oeffentlich is not None:
            keep &= self._column("oeffentlich") == int(where.oeffentlich)
        if where.since is not None:
            keep &= self._column("datum") >= where.since.toordinal()
        if where.kind is not None:
            keep &= self._column("kind") == where.kind
        return keep
