"""A concept's chunks: a Kurzfassung, then one or more per Handlungsfeld and one per Maßnahme.

Each chunk carries the concept's metadata (``kind="konzept"``, Kommune, ``zeitraum``) and its
Handlungsfeld and measure number, so that a hit reads "Integrationskonzept 2023–2026 (Stadt …),
Handlungsfeld Sprache, Maßnahme 3.2" (``assistant.presenter_konzept.konzept_label``).
"""

from __future__ import annotations

import re

from assistant.schema import Chunk, ChunkMetadata, Handlungsfeld, Konzept, Massnahme, Vorlage
from ingest.chunking import SUMMARY_SECTION, ChunkingOptions, split_text

__all__ = ["FIELD_SECTION", "MEASURE_SECTION", "chunk_konzept"]

FIELD_SECTION = "handlungsfeld"
MEASURE_SECTION = "massnahme"


def chunk_konzept(vorlage: Vorlage, options: ChunkingOptions) -> list[Chunk]:
    """Every chunk of the concept ``vorlage`` (``vorlage.konzept`` must be set)."""
    konzept = vorlage.konzept
    if konzept is None:
        raise ValueError("not a concept")
    base = ChunkMetadata(
        kommune=vorlage.kommune,
        betreff=vorlage.betreff,
        datum=vorlage.datum,
        art=vorlage.art,
        oeffentlich=vorlage.oeffentlich,
        kind="konzept",
        zeitraum=konzept.zeitraum,
    )
    chunks = [_chunk(vorlage, SUMMARY_SECTION, 0, _summary(konzept, options), base)]
    field_ordinal = 0
    for ordinal, (feld, massnahme) in enumerate(konzept.massnahmen()):
        meta = base.model_copy(update={"handlungsfeld": feld.titel, "massnahme": massnahme.nummer})
        text = _measure_text(_source(konzept), feld, massnahme)
        chunks.append(_chunk(vorlage, MEASURE_SECTION, ordinal, text, meta))
    for feld in konzept.handlungsfelder:
        meta = base.model_copy(update={"handlungsfeld": feld.titel})
        for piece in split_text(_field_text(feld), options.max_chars, options.overlap_chars):
            chunks.append(_chunk(vorlage, FIELD_SECTION, field_ordinal, piece, meta))
            field_ordinal += 1
    return chunks


def _chunk(vorlage: Vorlage, section: str, ordinal: int, text: str, meta: ChunkMetadata) -> Chunk:
    return Chunk(
        id=Chunk.make_id(vorlage.id, section, ordinal),
        vorlage_id=vorlage.id,
        section=section,
        text=text,
        metadata=meta,
    )


def _summary(konzept: Konzept, options: ChunkingOptions) -> str:
    fields = "; ".join(f.titel for f in konzept.handlungsfelder)
    text = f"{konzept.titel}\n\nHandlungsfelder: {fields}" if fields else konzept.titel
    return text[: options.summary_chars]


def _source(konzept: Konzept) -> str:
    """The concept as its passages name it first: title, period (unless the title has its
    years), Kommune; so that a cited measure grounds the period it is quoted with."""
    name = konzept.titel
    if konzept.zeitraum and not all(y in name for y in re.findall(r"\d{4}", konzept.zeitraum)):
        name = f"{name} {konzept.zeitraum}"
    return f"{name} ({konzept.kommune})" if konzept.kommune else name


def _measure_text(source: str, feld: Handlungsfeld, massnahme: Massnahme) -> str:
    parts = [source, f"Maßnahme {massnahme.nummer}: {massnahme.titel}"]
    if massnahme.beschreibung and massnahme.beschreibung != massnahme.titel:
        parts.append(massnahme.beschreibung)
    for label, value in (
        ("Handlungsfeld", feld.titel),
        ("Zuständigkeit", massnahme.zustaendigkeit),
        ("Zeitraum", massnahme.zeitraum),
        ("Indikator", massnahme.indikator),
    ):
        if value:
            parts.append(f"{label}: {value}")
    return "\n".join(parts)


def _field_text(feld: Handlungsfeld) -> str:
    head = f"Handlungsfeld {feld.nummer or ''} {feld.titel}".replace("  ", " ")
    parts = [head]
    if feld.leitziel:
        parts.append(f"Leitziel: {feld.leitziel}")
    parts.extend(f"Ziel: {ziel}" for ziel in feld.ziele if ziel != feld.leitziel)
    parts.append(feld.text)
    return "\n\n".join(p for p in parts if p.strip())
