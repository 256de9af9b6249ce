"""The generic fallback: the profile for documents of council systems no profile knows.

It reads with the core headings dictionary plus the larger alias dictionary built from real
documents of many systems (``ingest.aliases``), recognises further headings by their form
(``ingest.fallback``: a short line, a trailing colon, a known heading word anywhere in it),
bounds the Beschlussvorschlag by the next heading-like line, reads the Vorlagen-Nr. in its
common printed forms ("DS 60/2015", "Drucksache Nr. 1234/2026", "VO/2025/246",
"BV/2023/162", "K 2025/0101"), flattened Beratungsfolge tables with the role kept apart from
the body's name (``ingest.beratungsfolge.flat``), and the Kommune from the letterhead, else
from the municipality the text names most often.
"""

from __future__ import annotations

import re

from ingest.aliases import ALIAS_HEADINGS
from ingest.beratungsfolge import LAYOUTS
from ingest.fallback import form_heading
from ingest.headings import CORE_HEADINGS
from ingest.segment import SegmentRules
from ingest.systems.base import Profile, never

#: A line that is nothing but a Vorlagen-Nr. with its printed prefix (group 1: the number).
PRINTED_NR = re.compile(
    r"^(?:(?:Drucksache|Drucks\.|Vorlage|Sitzungsvorlage)(?:\s*-?\s*Nr\.?)?\s*:?\s*)?"
    r"((?:(?:DS|Drs\.?|VO|BV|MV|IV|SV|AN|K|V)\s?[-/ ]?)?\d{1,5}/\d{2,5}(?:/\d{1,5})?)$"
)
# A signature (a name alone on its line) right before the voting table of SD.NET forms: made
# a "gezeichnet:" line, which ends the section before it.
_SIGNATURE_NAME = (
    re.compile(
        r"^((?:[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)? ){1,2}[A-ZÄÖÜ][a-zäöüß]+"
        r"(?:-[A-ZÄÖÜ][a-zäöüß]+)?)\n(?=Beratungsergebnis)",
        re.MULTILINE,
    ),
    r"gezeichnet: \1\n",
)

#: The headings of the fallback; systems that many municipalities configure differently
#: (ALLRIS, SessionNet) read with them too.
FALLBACK_SEGMENT = SegmentRules(headings=CORE_HEADINGS + ALIAS_HEADINGS, form_heading=form_heading)

PROFILE = Profile(
    name="fallback",
    label="allgemeine Erkennung (kein bekanntes System)",
    detect=never,
    segment=FALLBACK_SEGMENT,
    beratungsfolge=LAYOUTS | {"flat", "split_roles"},
    vorlagen_nr=(PRINTED_NR,),
    text_fixes=(_SIGNATURE_NAME,),
    kommune_from_text=True,
    title_before_content=True,
    notes=__doc__ or "",
)
