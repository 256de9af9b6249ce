"""Vorlagen put together from a store's chunks (``StoredVorlagen`` for ``vorlagen summarize
--store``; issue 13).

The keyword index holds every chunk of every Vorlage with the Vorlage's metadata
(``Chunk.metadata``). A Vorlage is rebuilt from them: its header fields from the metadata, one
section per canonical section name in the order of ``ingest.chunking`` (the overlap between
neighbouring chunks of a section removed), the Beratungsfolge as the bodies named (without
roles and dates, which chunks do not carry). The store's own Kurzfassung chunk is left out: it
repeats the opening of the text. Where the store keeps the parsed records, those are better
and this is the fallback.
"""

from __future__ import annotations

from assistant.schema import Beratungsschritt, Chunk, Section, SourceRef, Vorlage
from vectorstore.keyword import BM25Index

__all__ = ["ChunkVorlagen"]

_SUMMARY_SECTION = "kurzfassung"
_ORDER = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
    "klimaschutz",
    "volltext",
)
_MAX_OVERLAP = 400


class ChunkVorlagen:
    """The Vorlagen of the keyword index in ``index``, rebuilt from their chunks."""

    def __init__(self, index: BM25Index) -> None:
        self.index = index

    def vorlage_ids(self) -> list[str]:
        return sorted(self.index.vorlage_ids())

    def vorlage(self, vorlage_id: str) -> Vorlage | None:
        chunks = [c for c in self.index.chunks_of(vorlage_id) if c.section != _SUMMARY_SECTION]
        if not chunks:
            return None
        meta = chunks[0].metadata
        sections = [
            Section(heading=name.replace("_", " ").capitalize(), canonical=name, text=text)
            for name, text in _sections(chunks)
        ]
        vorlage = Vorlage(
            id=vorlage_id,
            source=SourceRef(path=f"index:{vorlage_id}", system="text"),
            kommune=meta.kommune,
            vorlagen_nr=meta.vorlagen_nr,
            art=meta.art,
            oeffentlich=meta.oeffentlich,
            datum=meta.datum,
            betreff=meta.betreff,
            beratungsfolge=[Beratungsschritt(gremium=g) for g in meta.gremien],
            sections=sections,
            text="\n\n".join(s.text for s in sections),
        )
        canonical = {s.canonical: s.text for s in sections if s.canonical in _CANONICAL}
        return vorlage.model_copy(update=canonical)


_CANONICAL = frozenset(_ORDER[:-1])


def _sections(chunks: list[Chunk]) -> list[tuple[str, str]]:
    by_name: dict[str, list[str]] = {}
    for chunk in chunks:
        by_name.setdefault(chunk.section, []).append(chunk.text)
    rank = {name: i for i, name in enumerate(_ORDER)}
    names = sorted(by_name, key=lambda n: (rank.get(n, len(rank)), n))
    return [(name, _join(by_name[name])) for name in names]


def _join(pieces: list[str]) -> str:
    """Neighbouring chunks of one section joined, the repeated overlap removed once."""
    text = pieces[0]
    for piece in pieces[1:]:
        overlap = _overlap(text, piece)
        text = f"{text}{piece[overlap:]}" if overlap else f"{text}\n\n{piece}"
    return text


def _overlap(left: str, right: str) -> int:
    """The length of the longest end of ``left`` that starts ``right`` (at most 400)."""
    for size in range(min(_MAX_OVERLAP, len(left), len(right)), 20, -1):
        if left.endswith(right[:size]):
            return size
    return 0
