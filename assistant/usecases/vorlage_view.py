"""Opening one stored Vorlage to see it as it was parsed (issue 11: search, then open a hit;
a draft's source ``[n]``, opened at the passage the model saw).

:func:`open_vorlage` reads the store's record (``assistant.ports.VorlageRecords``) and returns
a :class:`VorlageView`: the header fields, the Beratungsfolge and the sections in document
order, and where the document came from. A file's path on the server is not shown, only its
name; a web source (an OParl paper, an ALLRIS or SessionNet page) keeps its address as a link.

Visibility is the search's: without the right to see nichtöffentliche Vorlagen, only a Vorlage
known to be public (``oeffentlich is True``) opens; any other answers like an unknown id, so
that a caller cannot learn that it exists.

:func:`locate_passage` finds a cited passage in the sections (whitespace and the cut's "…"
aside), so that the page can mark it. A passage from the search summary (Betreff,
Beschlussvorschlag and the opening of the Sachdarstellung in one) spans sections: then its
first paragraph found in a section is marked.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from assistant.ports_records import VorlageRecords
from assistant.presenter import UNKNOWN_VORLAGE
from assistant.schema import Beratungsschritt, Section, System, Vorlage

__all__ = [
    "SourceView",
    "UnknownVorlage",
    "VorlageView",
    "find_passage",
    "locate_passage",
    "open_vorlage",
]

FULLTEXT_HEADING = "Volltext"
PASSAGE_PROBE_CHARS = 200
MIN_PARAGRAPH_CHARS = 20  # shorter paragraphs of a passage (a Betreff line) are not sought


class UnknownVorlage(LookupError):
    """No such Vorlage, or the caller may not see it (the same German sentence for both)."""

    def __init__(self) -> None:
        super().__init__(UNKNOWN_VORLAGE)


class SourceView(BaseModel):
    """Where the Vorlage came from: the system, a name to show and, for the web, its address."""

    model_config = ConfigDict(extra="forbid")

    system: System
    name: str
    url: str | None = None


class VorlageView(BaseModel):
    """One Vorlage as parsed, for reading (no server paths; sections in document order)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    quelle: SourceView
    kommune: str | None = None
    vorlagen_nr: str | None = None
    art: str | None = None
    oeffentlich: bool | None = None
    datum: date | None = None
    aktenzeichen: str | None = None
    produkt: str | None = None
    federfuehrung: str | None = None
    betreff: str | None = None
    beratungsfolge: list[Beratungsschritt]
    sections: list[Section]
    anlagen: list[str]


def open_vorlage(records: VorlageRecords, vorlage_id: str, *, allow_nonpublic: bool) -> VorlageView:
    """The Vorlage ``vorlage_id`` for reading.

    Raises:
        UnknownVorlage: no record of that id, or a Vorlage the caller may not see.
    """
    vorlage = records.get(vorlage_id)
    if vorlage is None or (vorlage.oeffentlich is not True and not allow_nonpublic):
        raise UnknownVorlage()
    return view_of(vorlage)


def view_of(vorlage: Vorlage) -> VorlageView:
    """``vorlage`` for reading; without recognised sections its text is one section."""
    sections = vorlage.sections or [Section(heading=FULLTEXT_HEADING, text=vorlage.text)]
    return VorlageView(
        id=vorlage.id,
        quelle=_source(vorlage),
        kommune=vorlage.kommune,
        vorlagen_nr=vorlage.vorlagen_nr,
        art=vorlage.art,
        oeffentlich=vorlage.oeffentlich,
        datum=vorlage.datum,
        aktenzeichen=vorlage.aktenzeichen,
        produkt=vorlage.produkt,
        federfuehrung=vorlage.federfuehrung,
        betreff=vorlage.betreff,
        beratungsfolge=list(vorlage.beratungsfolge),
        sections=[s for s in sections if s.text.strip()],
        anlagen=list(vorlage.anlagen),
    )


def _source(vorlage: Vorlage) -> SourceView:
    path = vorlage.source.path
    parts = urlsplit(path)
    if parts.scheme in ("http", "https") and parts.netloc:
        return SourceView(system=vorlage.source.system, name=parts.netloc, url=path)
    name = PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    return SourceView(system=vorlage.source.system, name=name or path)


def find_passage(text: str, passage: str) -> tuple[int, int] | None:
    """Where ``passage`` (as a citation holds it: whitespace tidied, maybe cut with "…")
    starts and ends in ``text``, or ``None``. Only its first
    :data:`PASSAGE_PROBE_CHARS` characters are sought; the end is the probe's end."""
    probe = passage.strip().removesuffix("…").strip()[:PASSAGE_PROBE_CHARS].strip()
    words = probe.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


def locate_passage(sections: list[Section], passage: str) -> tuple[int, int, int] | None:
    """(section index, start, end) of ``passage`` in ``sections``: the whole passage where a
    section holds it, else its first paragraph that a section holds; ``None`` if neither."""
    paragraphs = [p for p in passage.split("\n") if len(p.strip()) >= MIN_PARAGRAPH_CHARS]
    for probe in [passage, *paragraphs]:
        for index, section in enumerate(sections):
            place = find_passage(section.text, probe)
            if place is not None:
                return index, place[0], place[1]
    return None
