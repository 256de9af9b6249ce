"""ALLRIS (CC e-gov): ``vo020`` Vorlage pages of ALLRIS 3 and 4, and their text exports.

Pages name the system in markup, generator and URLs ("allris", ``vo020.asp``, ``to020``);
text exports print "ALLRIS" in the page header. Sections are headed "Sachverhalt",
"Beschlussvorschlag", "Finanzielle Auswirkungen"; the Beratungsfolge is a table (Gremium,
Datum, Zuständigkeit/Rolle) that pages render as TAB rows; ALLRIS 4.1 puts a body row
(status, body, role) above its meeting rows (``ingest.systems.allris_table``) and prints
"<Art> - <Nr.>" as the page title.
"""

from __future__ import annotations

import re

from ingest.systems.allris_table import read_table
from ingest.systems.base import Profile, named_or_marked
from ingest.systems.generic import FALLBACK_SEGMENT

_PAGE = re.compile(r"allris|\bvo020(?:\.asp)?\b|\bto020(?:\.asp)?\b", re.IGNORECASE)
_TEXT = re.compile(r"\bALLRIS\b")


# ALLRIS 4 prints kind and number as the page title: "Antrag - 2026/245".
_TITLE_NR = re.compile(
    r"^(?:[A-ZÄÖÜ][\wäöüß]+(?: [\wäöüß]+){0,3}) - ((?:[A-Z]{1,3} )?\d{1,4}/\d{1,5}(?:/\d{1,5})?)$"
)

PROFILE = Profile(
    name="allris",
    label="ALLRIS",
    detect=named_or_marked("allris", _TEXT),
    page_markers=_PAGE,
    text_markers=_TEXT,
    segment=FALLBACK_SEGMENT,
    table_reader=read_table,
    vorlagen_nr=(_TITLE_NR,),
    kommune_from_text=True,
    notes=__doc__ or "",
)
