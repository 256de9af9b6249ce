"""What a council-system profile holds (``Profile``), and the fields it is detected by."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.beratungsfolge import LAYOUTS, TableReader
from ingest.normalize import TextFix
from ingest.segment import GENERIC_RULES, SegmentRules

#: How far into a document detection looks (letterheads, form titles, footers of page 1).
DETECT_CHARS = 4000


@dataclass(frozen=True)
class Detection:
    """What a profile may look at: the source kind, the raw text's start, its markup."""

    source: str  # the loader's system: "oparl", "pdf", "docx", "text", "html", "allris", ...
    head: str  # the first ``DETECT_CHARS`` characters of the extracted text
    text: str  # the whole extracted text (searched sparingly)


@dataclass(frozen=True)
class Profile:
    """One council information system (or one municipality's form) the parser knows.

    * ``name``: the id stored in ``ParseQuality.profile`` and, for pages and exports the
      profile recognises by ``page_markers`` / ``text_markers``, in ``SourceRef.system``;
    * ``detect``: True when a document comes from this system (``Detection``);
    * ``page_markers``: markers in an HTML page's markup, generator and URLs (the page's system
      is the profile with the most matches);
    * ``text_markers``: markers in the first 2,000 characters of a text export;
    * ``segment``: headings dictionary and segmentation quirks (``ingest.segment``);
    * ``text_fixes``: repairs after normalisation (words the system's PDF layout breaks);
    * ``beratungsfolge``: the table layouts to look for (``ingest.beratungsfolge.LAYOUTS``);
    * ``table_reader``: the system's own Beratungsfolge table, tried before the layouts;
    * ``vorlagen_nr``: printed forms of the Vorlagen-Nr. beyond the labelled ones (regexes for a
      whole header line, group 1 the number);
    * ``kommune_from_text``: without a letterhead, the municipality the text names most often;
    * ``title_before_content``: without a "Betreff:", the line above the first content heading;
    * ``notes``: what is special about the system, for developers.
    """

    name: str
    label: str
    detect: Callable[[Detection], bool]
    segment: SegmentRules = GENERIC_RULES
    page_markers: re.Pattern[str] | None = None
    text_markers: re.Pattern[str] | None = None
    text_fixes: tuple[TextFix, ...] = ()
    beratungsfolge: frozenset[str] = LAYOUTS
    table_reader: TableReader | None = None
    vorlagen_nr: tuple[re.Pattern[str], ...] = field(default_factory=tuple)
    kommune_from_text: bool = False
    title_before_content: bool = False
    notes: str = ""


def never(_: Detection) -> bool:
    """Detection of a profile that is chosen by other means (the fallback)."""
    return False


def named_or_marked(name: str, markers: re.Pattern[str]) -> Callable[[Detection], bool]:
    """Detection of a system a loader names (pages) or whose export prints ``markers``."""

    def detect(doc: Detection) -> bool:
        return doc.source == name or bool(markers.search(doc.head[:2000]))

    return detect
