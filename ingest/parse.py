"""From a file to a validated ``Vorlage``: load -> normalise -> segment -> header fields.

Metadata a container states (OParl Paper fields) wins over what the text says, because the
council system keeps it as data; everything else comes from the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.schema import Beratungsschritt, Section, SourceRef, Vorlage, vorlage_id
from ingest import header as hdr
from ingest.beratungsfolge import extract_beratungsfolge
from ingest.errors import IngestError
from ingest.normalize import normalize
from ingest.segment import RawSection, choose_canonical, split_sections
from ingest.sources.base import Hints, RawDocument
from ingest.sources.text import load_text

SUPPORTED = ".txt, .pdf, .docx, .html/.htm, OParl-Paper .json"

_CONTENT_KINDS = {"resolution", "facts", "reasons", "finance", "climate"}
_BF_MARKER = "Beratungsfolge"


@dataclass(frozen=True)
class ParseOptions:
    """Limits and choices for parsing; built from settings by the wiring point."""

    pdf_timeout_s: float = 60.0
    pdf_memory_mb: int = 1024
    max_file_mb: int = 50
    redact_bearbeiter: bool = False


def parse_path(path: Path, options: ParseOptions | None = None) -> Vorlage:
    """Parse one file; raises ``IngestError`` (German message) for anything unreadable."""
    options = options or ParseOptions()
    raw = load(path, options)
    return parse_raw(raw, redact_bearbeiter=options.redact_bearbeiter)


def load(path: Path, options: ParseOptions) -> RawDocument:
    """Read a file with the source its type calls for."""
    _check_file(path, options)
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ".md"):
        return load_text(path)
    if suffix == ".pdf":
        from ingest.sources.pdf import load_pdf

        return load_pdf(path, timeout_s=options.pdf_timeout_s, memory_mb=options.pdf_memory_mb)
    if suffix == ".docx":
        from ingest.sources.docx import load_docx

        return load_docx(path)
    if suffix in (".html", ".htm", ".asp", ".php"):
        from ingest.sources.html import load_html

        return load_html(path)
    if suffix == ".json":
        return _load_json(path)
    raise IngestError(
        f"Das Format der Datei {path.name} wird nicht unterstützt (unterstützt: {SUPPORTED})."
    )


def _check_file(path: Path, options: ParseOptions) -> None:
    if not path.exists():
        raise IngestError(f"Die Datei {path} wurde nicht gefunden.")
    if not path.is_file():
        raise IngestError(f"{path} ist keine Datei.")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"Die Datei {path.name} ist leer.")
    if size > options.max_file_mb * 1024 * 1024:
        raise IngestError(
            f"Die Datei {path.name} ist größer als die erlaubten {options.max_file_mb} MB."
        )


def _load_json(path: Path) -> RawDocument:
    from ingest.sources.oparl import is_oparl_paper, load_oparl_paper

    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as err:
        raise IngestError(f"Die Datei {path.name} ist kein gültiges JSON.") from err
    if not is_oparl_paper(data):
        raise IngestError(f"Die JSON-Datei {path.name} ist kein OParl-Paper (Vorlage).")
    return load_oparl_paper(path)


def parse_raw(raw: RawDocument, *, redact_bearbeiter: bool = False) -> Vorlage:
    """Turn a source's text and hints into a ``Vorlage``.

    With ``redact_bearbeiter`` the Bearbeiter field stays empty and the name is blacked out in
    the text and every section (personal data need not enter the index).
    """
    text = normalize(raw.text)
    if not text.strip():
        raise IngestError(f"Das Dokument {Path(raw.path).name} enthält keinen lesbaren Text.")
    steps, span = extract_beratungsfolge(text)
    header, sections = split_sections(_lines_without_span(text, span))
    head = header + _header_sections(sections)
    bearbeiter = hdr.find_bearbeiter(head)
    if redact_bearbeiter and bearbeiter:
        text = redact_name(text, bearbeiter)
        steps, span = extract_beratungsfolge(text)
        header, sections = split_sections(_lines_without_span(text, span))
        head = header + _header_sections(sections)
    if redact_bearbeiter:
        bearbeiter = None
    chosen = choose_canonical(sections)
    hints = raw.hints
    gremien = [s.gremium for s in steps]
    beratungsfolge = hints.beratungsfolge if not steps and hints.beratungsfolge else steps
    return Vorlage(
        id=vorlage_id(text),
        source=SourceRef(path=raw.path, system=raw.system, fetched_at=datetime.now(UTC)),
        kommune=hints.kommune or hdr.find_kommune(head, gremien),
        vorlagen_nr=hints.vorlagen_nr or hdr.find_vorlagen_nr(head),
        art=hints.art or hdr.find_art(head),
        oeffentlich=_oeffentlich(hints, head, beratungsfolge, raw.system),
        datum=hints.datum or hdr.find_datum(head),
        aktenzeichen=hdr.find_aktenzeichen(head),
        produkt=hdr.find_produkt(head),
        federfuehrung=hints.federfuehrung or hdr.find_federfuehrung(head),
        bearbeiter=bearbeiter,
        betreff=hints.betreff or find_betreff(header, sections),
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
    rf"^(?:{hdr.VORLAGEN_NR})$|:\s|\b(?:ALLRIS|SessionNet|Bürgerinfo|Vorlage)\b|^\W*$|"
    rf"^{hdr.DATE}$",
    re.IGNORECASE,
)


def find_betreff(header: list[str], sections: list[RawSection]) -> str | None:
    """The subject: after "Betreff:", else the title printed between Beratungsfolge and text."""
    for section in sections:
        if section.kind == "betreff":
            return section.inline or _first_paragraph(section.lines)
    for section in sections:
        if section.kind in _CONTENT_KINDS:
            break
        if section.kind == "beratungsfolge" and section.heading == _BF_MARKER:
            title = _first_paragraph(section.lines)
            if title and not _FIELD_LIKE.search(title) and len(title) <= 300:
                return title
    return None


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
