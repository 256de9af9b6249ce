"""ALLRIS (CC e-gov): ``vo020`` Vorlage pages of ALLRIS 3 and 4, and their text exports.

Pages name the system in markup, generator and URLs ("allris", ``vo020.asp``, ``to020``);
text exports print "ALLRIS" in the page header. Sections are headed "Sachverhalt",
"Beschlussvorschlag", "Finanzielle Auswirkungen"; the Beratungsfolge is a table (Gremium,
Datum, Zuständigkeit/Rolle) that pages render as TAB rows.
"""

from __future__ import annotations

import re

from ingest.systems.base import Profile, named_or_marked

_PAGE = re.compile(r"allris|\bvo020(?:\.asp)?\b|\bto020(?:\.asp)?\b", re.IGNORECASE)
_TEXT = re.compile(r"\bALLRIS\b")


PROFILE = Profile(
    name="allris",
    label="ALLRIS",
    detect=named_or_marked("allris", _TEXT),
    page_markers=_PAGE,
    text_markers=_TEXT,
    notes=__doc__ or "",
)
