"""From a file to a validated ``Vorlage``: load -> normalise -> segment -> header fields.

Metadata a container states (OParl Paper fields) wins over what the text says, because the
council system keeps it as data; everything else comes from the text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from assistant.schema import Beratungsschritt, Section, SourceRef, Vorlage, vorlage_id
from ingest import header as hdr
from ingest import systems
from ingest.beratungsfolge import extract_beratungsfolge
from ingest.beratungsfolge.flat import split_role
from ingest.canonical import choose_canonical
from ingest.errors import IngestError
from ingest.normalize import normalize
from ingest.quality import assess
from ingest.segment import RawSection, split_sections
from ingest.sources.base import Hints, RawDocument
from ingest.sources.formats import SUPPORTED, ParseOptions, load
from ingest.systems.base import Profile

__all__ = ["SUPPORTED", "ParseOptions", "load", "parse_path", "parse_raw"]

_CONTENT_KINDS = {"resolution", "facts", "reasons", "finance", "climate"}
_BF_MARKER = "Beratungsfolge"


def parse_path(path: Path, options: ParseOptions | None = None) -> Vorlage:
    """Parse one file; raises ``IngestError`` (German message) for anything unreadable."""
    options = options or ParseOptions()
    raw = load(path, options)
    return parse_raw(raw, redact_bearbeiter=options.redact_bearbeiter)


def parse_raw(raw: RawDocument, *, redact_bearbeiter: bool = False) -> Vorlage:
    """Turn a source's text and hints into a ``Vorlage``.

    With ``redact_bearbeiter`` the Bearbeiter field stays empty and the name is blacked out in
    the text and every section (personal data need not enter the index).
    """
    profile = systems.detect(raw.system, raw.text)
    text = normalize(raw.text, profile.text_fixes)
    if not text.strip():
        raise IngestError(f"Das Dokument {Path(raw.path).name} enthält keinen lesbaren Text.")
    steps, header, sections = _segment(text, profile)
    head = header + _header_sections(sections)
    bearbeiter = hdr.find_bearbeiter(head)
    if redact_bearbeiter and bearbeiter:
        text = redact_name(text, bearbeiter)
        steps, header, sections = _segment(text, profile)
        head = header + _header_sections(sections)
    if redact_bearbeiter:
        bearbeiter = None
    chosen = choose_canonical(sections)
    hints = raw.hints
    gremien = [s.gremium for s in steps]
    beratungsfolge = hints.beratungsfolge if not steps and hints.beratungsfolge else steps
    vorlage = Vorlage(
        id=vorlage_id(text),
        source=SourceRef(path=raw.path, system=raw.system, fetched_at=datetime.now(UTC)),
        kommune=hints.kommune or _kommune(head, gremien, text, profile),
        vorlagen_nr=hints.vorlagen_nr or hdr.find_vorlagen_nr(head, profile.vorlagen_nr),
        art=hints.art or hdr.find_art(head),
        oeffentlich=_oeffentlich(hints, head, beratungsfolge, raw.system),
        datum=hints.datum or hdr.find_datum(head),
        aktenzeichen=hdr.find_aktenzeichen(head),
        produkt=hdr.find_produkt(head),
        federfuehrung=hints.federfuehrung or hdr.find_federfuehrung(head),
        bearbeiter=bearbeiter,
        betreff=hints.betreff or find_betreff(header, sections, profile.title_before_content),
        beratungsfolge=beratungsfolge,
        beschlussvorschlag=_text(chosen.beschlussvorschlag),
        sachdarstellung=_text(chosen.sachdarstellung),
        begruendung=_text(chosen.begruendung),
        finanzielle_auswirkungen=_finance_text(chosen.finanzielle_auswirkungen),
        klimaschutz=_text(chosen.klimaschutz),
        anlagen=parse_anlagen("\n".join(s.text for s in chosen.anlagen)),
        sections=[
            Section(heading=s.heading, canonical=chosen.canonical_of(s), text=s.text)
            for s in sections
        ],
        text=text,
    )
    return vorlage.model_copy(update={"parse_quality": assess(vorlage, profile.name)})


def _kommune(head: list[str], gremien: list[str], text: str, profile: Profile) -> str | None:
    found = hdr.find_kommune(head, gremien)
    if found is None and profile.kommune_from_text:
        found = hdr.kommune_in_text(text)
    return found


def _segment(
    text: str, profile: Profile
) -> tuple[list[Beratungsschritt], list[str], list[RawSection]]:
    """The Beratungsfolge, the header lines and the sections, by the profile's rules."""
    steps, span = extract_beratungsfolge(text, profile.beratungsfolge, profile.table_reader)
    if "split_roles" in profile.beratungsfolge:
        steps = [_split_role(step) for step in steps]
    header, sections = split_sections(_lines_without_span(text, span), profile.segment)
    return steps, header, sections


def _split_role(step: Beratungsschritt) -> Beratungsschritt:
    """ "Ortsgemeinderat Sippersfeld Entscheidung": the role kept apart from the body's name."""
    if step.rolle is not None:
        return step
    name, rolle = split_role(step.gremium)
    return step.model_copy(update={"gremium": name, "rolle": rolle}) if rolle else step


def _lines_without_span(text: str, span: tuple[int, int] | None) -> list[str]:
    """The text's lines with the Beratungsfolge block replaced by one marker heading."""
    if span is None:
        return text.split("\n")
    before, after = text[: span[0]], text[span[1] :]
    return [*before.split("\n"), _BF_MARKER, *after.split("\n")]


def _header_sections(sections: list[RawSection]) -> list[str]:
    """Lines of the sections before the first content section (Betreff, Beratungsfolge, ...)."""
    lines: list[str] = []
    for section in sections:
        if section.kind in _CONTENT_KINDS:
            break
        lines.extend([section.heading, *section.lines])
    return lines


def _oeffentlich(
    hints: Hints, head: list[str], steps: list[Beratungsschritt], system: str
) -> bool | None:
    """Stated status, else the Beratungsfolge's; OParl papers are public unless stated otherwise.

    OParl is the interface for publishing council information to the public: a Paper served
    through it is öffentlich unless the document itself says nichtöffentlich.
    """
    if hints.oeffentlich is not None:
        return hints.oeffentlich
    stated = hdr.find_oeffentlich(head)
    if stated is None:
        stated = hdr.oeffentlich_from_beratung(steps)
    if stated is None and system == "oparl":
        return True
    return stated


_FIELD_LIKE = re.compile(
    rf"^(?:{hdr.VORLAGEN_NR})$|(?<!\bhier):\s|:$|\b(?:ALLRIS|SessionNet|Bürgerinfo|Vorlage)\b|^\W*$|"
    rf"^{hdr.DATE}$",
    re.IGNORECASE,
)


_CHECKBOXES = re.compile(r"[☐☒]")


def find_betreff(
    header: list[str], sections: list[RawSection], title_before_content: bool = False
) -> str | None:
    """The subject: after "Betreff:", else the title printed between Beratungsfolge and text.

    With ``title_before_content`` (the fallback), else the line printed right above the first
    content heading ("Umstrukturierungen ..." / "Antrag,").
    """
    for section in sections:
        if section.kind == "betreff":
            return section.inline or _first_paragraph(section.lines)
    for section in sections:
        if section.kind in _CONTENT_KINDS:
            break
        if section.kind == "beratungsfolge" and section.heading == _BF_MARKER:
            title = _first_paragraph([x for x in section.lines if not _CHECKBOXES.search(x)])
            if title and not _FIELD_LIKE.search(title) and len(title) <= 300:
                return title
    return _title_before_content(header, sections) if title_before_content else None


def _title_before_content(header: list[str], sections: list[RawSection]) -> str | None:
    first = next((i for i, s in enumerate(sections) if s.kind in _CONTENT_KINDS), None)
    if first is None:
        return None
    before = sections[first - 1].lines if first > 0 else header
    title = next((x.strip() for x in reversed(before) if x.strip()), None)
    if title is None or _FIELD_LIKE.search(title) or len(title) > 300 or "\t" in title:
        return None
    return title


def _first_paragraph(lines: list[str]) -> str | None:
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.replace("\t", " ").strip())
    return " ".join(paragraph) or None


_ANLAGE_PREFIX = re.compile(r"^(?:Anlage\s*\d*\s*[:.)-]?\s*|\d{1,2}\s*[.):-]?\s+|[-•*]\s+)+")
_ANLAGE_SIZE = re.compile(r"\s*\(\d[\d.,]*\s*[KMG]B\)\s*$", re.IGNORECASE)
_ANLAGE_NOISE = re.compile(r"^(?:Nr\.?\s+Name|Name|Nr\.?|keine|Loading\.\.\.)$", re.IGNORECASE)


def parse_anlagen(text: str | None) -> list[str]:
    """Attachment titles, numbering and file sizes removed, duplicates dropped."""
    if not text:
        return []
    titles: list[str] = []
    for line in text.split("\n"):
        title = _ANLAGE_SIZE.sub("", _ANLAGE_PREFIX.sub("", line.replace("\t", " ").strip()))
        title = title.strip()
        if title and not _ANLAGE_NOISE.match(title) and title not in titles:
            titles.append(title)
    return titles


def _text(section: RawSection | None) -> str | None:
    return (section.text or None) if section else None


def _finance_text(section: RawSection | None) -> str | None:
    """A finance form without any filled-in text still shows that the form is there."""
    if section is None:
        return None
    return section.text or section.heading


REDACTED = "[geschwärzt]"
_NAME_PART = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜ][a-zäöüß]+)?")
_NOT_A_NAME = {"Herr", "Frau", "Herrn", "Dr", "Prof", "Stadt", "Amt", "Fachdienst", "Fachbereich"}


def redact_name(text: str, name: str) -> str:
    """Black out every part of a person's name ("Sladky, Corinna", "Herr Dexler") in ``text``."""
    parts = {p for p in _NAME_PART.findall(name) if p not in _NOT_A_NAME}
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(part)}\b", REDACTED, text)
    return text
