"""The registry of council-system profiles.

Each module of this package describes one council information system (or one municipality's
form) in a ``PROFILE`` (``ingest.systems.base.Profile``): how its documents are detected, its
headings, header-field patterns, Beratungsfolge layouts and quirks. The generic parser
(``ingest.parse``) runs the first profile in ``PROFILES`` whose ``detect`` accepts a document,
else ``FALLBACK``. Adding a system: docs/architecture.md, "Where to add ... a council system".
"""

from __future__ import annotations

from functools import cache

from ingest.headings import HeadingRule
from ingest.segment import SegmentRules
from ingest.systems import allris, generic, karlsruhe, sessionnet
from ingest.systems.base import DETECT_CHARS, Detection, Profile

#: Tried in order: systems a loader named first, then those told by their text.
PROFILES: tuple[Profile, ...] = (
    allris.PROFILE,
    sessionnet.PROFILE,
    karlsruhe.PROFILE,
)
FALLBACK: Profile = generic.PROFILE


def detect(source: str, text: str) -> Profile:
    """The profile of a document (``source``: the loader's system id; ``text``: raw text)."""
    doc = Detection(source=source, head=text[:DETECT_CHARS], text=text)
    return next((p for p in PROFILES if p.detect(doc)), FALLBACK)


def by_name(name: str) -> Profile:
    """The profile called ``name`` (``FALLBACK`` for "fallback"); KeyError when unknown."""
    for profile in (*PROFILES, FALLBACK):
        if profile.name == name:
            return profile
    raise KeyError(name)


def system_of_page(html: str) -> str | None:
    """The system whose page markers an HTML page carries most often (None on a tie or none)."""
    counts = [
        (len(p.page_markers.findall(html)), p.name) for p in PROFILES if p.page_markers is not None
    ]
    counts.sort(reverse=True)
    if not counts or counts[0][0] == 0 or (len(counts) > 1 and counts[0][0] == counts[1][0]):
        return None
    return counts[0][1]


def system_of_text(text: str) -> str | None:
    """The system a text export names in its first 2,000 characters, if any."""
    head = text[:2000]
    return next(
        (p.name for p in PROFILES if p.text_markers is not None and p.text_markers.search(head)),
        None,
    )


@cache
def all_rules() -> SegmentRules:
    """Segmentation rules knowing every profile's headings (for callers without a profile)."""
    seen: set[int] = set()
    headings: list[HeadingRule] = []
    for profile in (FALLBACK, *PROFILES):
        for heading in profile.segment.headings:
            if id(heading) not in seen:
                seen.add(id(heading))
                headings.append(heading)
    base = karlsruhe.PROFILE.segment
    return SegmentRules(
        headings=tuple(headings),
        running_header=base.running_header,
        finance_form_field=base.finance_form_field,
        version_stamp=base.version_stamp,
        not_subsection=base.not_subsection,
        form_heading=FALLBACK.segment.form_heading,
    )
