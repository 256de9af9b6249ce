"""SessionNet (Somacos): ``vo0050`` Vorlage pages, Bürgerinfo exports and SessionNet PDFs.

Pages name the system in markup and URLs ("sessionnet", "somacos", ``smc-`` classes,
``vo0050.asp``/``.php``); exports print "Bürgerinfo" or "SessionNet". The Beratungsfolge is the
line form: "<Gremium> <Rolle>" then "<date>" and "<meeting title> [result]" lines
(``ingest.beratungsfolge``).
"""

from __future__ import annotations

import re

from ingest.systems.base import Profile, named_or_marked
from ingest.systems.generic import FALLBACK_SEGMENT

_PAGE = re.compile(
    r"sessionnet|somacos|\bsmc[-_]|\b(?:vo|si|to|kp)00[0-9]{2}\.(?:asp|php)\b", re.IGNORECASE
)
_TEXT = re.compile(r"\bBürgerinfo\b|\bSessionNet\b", re.IGNORECASE)


PROFILE = Profile(
    name="sessionnet",
    label="SessionNet",
    detect=named_or_marked("sessionnet", _TEXT),
    page_markers=_PAGE,
    text_markers=_TEXT,
    segment=FALLBACK_SEGMENT,
    notes=__doc__ or "",
)
