"""Section-aware chunks of a ``Vorlage``, and which of them are embedded densely.

Chunks (``chunk_vorlage``):

* one chunk list per canonical content section (:data:`CHUNKED_SECTIONS`), in that order; a
  section longer than ``max_chars`` is split at paragraph, then sentence, then word boundaries
  into pieces of even length (at most ``max_chars``), each piece after the first starting with
  up to ``overlap_chars`` of the previous one (whole sentences where possible), so that a
  sentence cut at a boundary is still found whole;
* one :data:`SUMMARY_SECTION` chunk per Vorlage: Betreff + Beschlussvorschlag + the opening of
  the Sachdarstellung, cut to ``summary_chars``. It is what a clerk's question most often
  matches (the subject and the resolution), and it is the chunk the default dense policy embeds;
* a Vorlage in which no canonical section was recognised is chunked from its full text
  (section :data:`FULLTEXT_SECTION`), so nothing readable is lost to search.

Every chunk carries the Vorlage's metadata for filters and citations (``ChunkMetadata``) and
the id ``Chunk.make_id(vorlage_id, section, ordinal)``; everything is a pure function of the
Vorlage and the :class:`ChunkingOptions`, so re-ingesting an unchanged Vorlage gives the same
chunks with the same fingerprints.

Dense policies (``DENSE_POLICIES``): which chunks the vector index receives. The keyword
index always receives every chunk; see :func:`dense_summary` for the default and why.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from assistant.schema import Chunk, ChunkMetadata, Vorlage

CHUNKED_SECTIONS: tuple[str, ...] = (
    "beschlussvorschlag",
    "sachdarstellung",
    "begruendung",
    "finanzielle_auswirkungen",
    "klimaschutz",
)
SUMMARY_SECTION = "kurzfassung"
FULLTEXT_SECTION = "volltext"


@dataclass(frozen=True)
class ChunkingOptions:
    """Sizes in characters. The defaults keep a chunk under e5's 512-token window."""

    max_chars: int = 1500
    overlap_chars: int = 150
    summary_chars: int = 1500

    def __post_init__(self) -> None:
        if self.max_chars < 200:
            raise ValueError("max_chars must be at least 200")
        if not 0 <= self.overlap_chars <= self.max_chars // 3:
            raise ValueError("overlap_chars must be between 0 and max_chars / 3")
        if self.summary_chars < 200:
            raise ValueError("summary_chars must be at least 200")

    def recipe(self) -> str:
        """A short digest of these options (the pipeline re-ingests when it changes)."""
        text = ",".join(f"{k}={v}" for k, v in sorted(asdict(self).items()))
        return hashlib.sha256(text.encode()).hexdigest()[:8]


# --- metadata and the summary -------------------------------------------------------------------


def chunk_metadata(vorlage: Vorlage) -> ChunkMetadata:
    """The Vorlage's fields every chunk carries; ``gremien`` in Beratungsfolge order, unique."""
    gremien = list(dict.fromkeys(step.gremium for step in vorlage.beratungsfolge))
    return ChunkMetadata(
        kommune=vorlage.kommune,
        vorlagen_nr=vorlage.vorlagen_nr,
        betreff=vorlage.betreff,
        datum=vorlage.datum,
        art=vorlage.art,
        oeffentlich=vorlage.oeffentlich,
        gremien=gremien,
    )


def summary_text(vorlage: Vorlage, max_chars: int = 1500) -> str:
    """Betreff, Beschlussvorschlag and the opening of the Sachdarstellung, at most ``max_chars``.

    Falls back to the opening of the full text when none of the three is there. Cut at a
    sentence end where one lies in the last third, else at a word boundary.
    """
    parts = [
        _squash(p)
        for p in (vorlage.betreff, vorlage.beschlussvorschlag, vorlage.sachdarstellung)
        if p and p.strip()
    ]
    text = "\n\n".join(parts) if parts else _squash(vorlage.text)
    return _cut(text, max_chars)


def _squash(text: str) -> str:
    """Line-wrapped text as paragraphs: single newlines and runs of blanks become one space."""
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= max_chars * 2 // 3:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space > max_chars // 2 else head).rstrip()


# --- splitting ----------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# A sentence ends at . ! ? or ; followed by space and an upper-case letter or an opening quote;
# common abbreviations ("Nr.", "Abs.", "z. B.") do not end one (checked separately: Python's
# look-behind takes fixed widths only).
_ABBREVIATIONS = (
    "Nr|Abs|Art|Ziff|Dr|Prof|Hr|Fr|bzw|ggf|vgl|gem|ca|Str|St|Tel|Bd|Kap|lt|evtl|inkl|zzgl|"
    "usw|u|z|d|s|v|o|i|a|B|S"
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÄÖÜ„\"(])")
_ABBREVIATION_BEFORE = re.compile(rf"(?:^|[\s(])(?:{_ABBREVIATIONS})\.$")


def split_sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, each with its trailing whitespace stripped; joined by a space.

    Deliberately simple: a sentence ends at ``.``, ``!``, ``?`` or ``;`` before whitespace and
    an upper-case letter or an opening quote, unless the word before the dot is a common German
    abbreviation (``Nr.``, ``Abs.``, ``z. B.``, ``Dr.``).
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.start()]
        if _ABBREVIATION_BEFORE.search(candidate):
            continue
        sentences.append(candidate.strip())
        start = match.end()
    sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


def _units(text: str, max_chars: int) -> list[tuple[str, str]]:
    """(separator before, piece) pairs: paragraphs, else sentences, else word runs."""
    units: list[tuple[str, str]] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.strip()):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        first_sep = "\n\n"
        pieces = [paragraph] if len(paragraph) <= max_chars else split_sentences(paragraph)
        for piece in pieces:
            for part in _hard_split(piece, max_chars):
                units.append((first_sep, part))
                first_sep = " "
    return units


def _hard_split(text: str, max_chars: int) -> list[str]:
    """A text longer than ``max_chars`` cut at the last space before the limit (or at it)."""
    parts: list[str] = []
    while len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        if cut < max_chars // 2:
            cut = max_chars
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts


def split_text(text: str, max_chars: int = 1500, overlap_chars: int = 150) -> list[str]:
    """Split ``text`` into pieces of at most ``max_chars``, at natural boundaries, with overlap.

    The number of pieces is the least that fits (``ceil(len / usable)``) and each piece aims at
    an equal share, so a 1,700-character section becomes two pieces of about 850 rather than
    1,500 + 200. Each piece after the first begins with the tail (whole sentences, at most
    ``overlap_chars``) of the piece before. A text within ``max_chars`` is returned whole.
    """
    text = text.strip()
    if not text:
        return []
    if len(text) <= max_chars:
        return [text]
    units = _units(text, max_chars - overlap_chars)
    usable = max_chars - overlap_chars
    target = math.ceil(len(text) / math.ceil(len(text) / usable))
    pieces: list[str] = []
    current = ""
    for sep, unit in units:
        joined = f"{current}{sep}{unit}" if current else unit
        if current and (len(joined) > usable or len(current) >= target):
            pieces.append(current)
            current = unit
        else:
            current = joined
    if current:
        pieces.append(current)
    return _with_overlap(pieces, overlap_chars)


def _with_overlap(pieces: list[str], overlap_chars: int) -> list[str]:
    if overlap_chars <= 0:
        return pieces
    out = [pieces[0]]
    for previous, piece in itertools.pairwise(pieces):
        tail = _tail(previous, overlap_chars - 1)
        out.append(f"{tail} {piece}" if tail else piece)
    return out


def _tail(text: str, overlap_chars: int) -> str:
    """The last whole sentences of ``text`` within ``overlap_chars``, else its last words."""
    sentences = split_sentences(text.replace("\n\n", " "))
    tail = ""
    for sentence in reversed(sentences):
        candidate = f"{sentence} {tail}".strip()
        if len(candidate) > overlap_chars:
            break
        tail = candidate
    if tail:
        return tail
    window = text[-overlap_chars:]
    space = window.find(" ")
    return window[space + 1 :].strip() if space >= 0 else ""


# --- chunks -------------------------------------------------------------------------------------


def chunk_vorlage(vorlage: Vorlage, options: ChunkingOptions | None = None) -> list[Chunk]:
    """Every chunk of ``vorlage``: the summary first, then the sections in canonical order."""
    options = options or ChunkingOptions()
    if vorlage.konzept is not None:
        from ingest.konzept.chunks import chunk_konzept  # the concept's own chunks

        return chunk_konzept(vorlage, options)
    metadata = chunk_metadata(vorlage)

    def make(section: str, ordinal: int, text: str) -> Chunk:
        return Chunk(
            id=Chunk.make_id(vorlage.id, section, ordinal),
            vorlage_id=vorlage.id,
            section=section,
            text=text,
            metadata=metadata,
        )

    chunks = [make(SUMMARY_SECTION, 0, summary_text(vorlage, options.summary_chars))]
    sections = [(name, getattr(vorlage, name)) for name in CHUNKED_SECTIONS]
    present = [(name, text) for name, text in sections if text and text.strip()]
    if not present:
        present = [(FULLTEXT_SECTION, vorlage.text)]
    for name, text in present:
        for ordinal, piece in enumerate(split_text(text, options.max_chars, options.overlap_chars)):
            chunks.append(make(name, ordinal, piece))
    return chunks


# --- dense policies -----------------------------------------------------------------------------

DensePolicy = Callable[[Sequence[Chunk]], list[Chunk]]


def dense_summary(chunks: Sequence[Chunk]) -> list[Chunk]:
    """The default: only the summary chunk of each Vorlage goes to the vector index.

    Why: embedding is the cost of ingestion (e5-small: about 0.13 s per 1,500-character passage
    on 2 cores), and a Karlsruhe Vorlage has about six chunks, so embedding all of them makes
    1,000 papers take about 13 minutes instead of about 2. The summary (Betreff,
    Beschlussvorschlag, opening of the Sachdarstellung) is where a Vorlage says what it is
    about, which is what a dense query ("Kita-Neubau Vergabe") matches; the details deeper in
    long sections are reached by BM25, which indexes every chunk. The issue's measurements
    (recall@5 e5 0.89, BM25 0.91, fused 0.92 on one passage per paper) are on the same kind of
    passage. Measure alternatives with :data:`DENSE_POLICIES`. A concept's measures are
    embedded as well (a few dozen short chunks per concept; docs/konzepte.md).
    """
    return [c for c in chunks if c.section == SUMMARY_SECTION or _is_measure(c)]


def _is_measure(chunk: Chunk) -> bool:
    """A concept's measure: short, and what a clerk looks a concept up for (embedded too)."""
    return chunk.metadata.massnahme is not None


def dense_leading(chunks: Sequence[Chunk]) -> list[Chunk]:
    """The summary plus the first chunk of every section (about 4 embeddings per Vorlage)."""
    return [c for c in chunks if c.section == SUMMARY_SECTION or c.id.endswith(":0")]


def dense_all(chunks: Sequence[Chunk]) -> list[Chunk]:
    """Every chunk: the best dense recall on details, at about six times the ingestion cost."""
    return list(chunks)


DENSE_POLICIES: dict[str, DensePolicy] = {
    "kurzfassung": dense_summary,
    "abschnittsanfang": dense_leading,
    "alle": dense_all,
}
DEFAULT_DENSE_POLICY = "kurzfassung"
