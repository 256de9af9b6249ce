"""The parse quality of a record: which fields were found, by which profile, and what it is.

``assess`` looks at a parsed ``Vorlage`` and says honestly what it got:

* ``found`` / ``missing``: Betreff, Vorlagen-Nr., Beschlussvorschlag, Sachdarstellung and
  Beratungsfolge (a text field counts from ``MIN_CHARS`` characters on);
* ``status``: ``vollstaendig`` (Beschlussvorschlag and Sachdarstellung), ``teilweise`` (one of
  them), ``kenntnisgabe`` (facts without a resolution in a Mitteilung, Informationsvorlage or
  Kenntnisgabe), ``deckblatt`` (a cover sheet: the text says the Vorlage itself is an
  attachment, or its only text points there: "Bitte beachten Sie den in der Anlage beigefügten
  Antrag"), ``unvollstaendig`` (neither resolution nor facts).

The ingestion counts ``deckblatt`` and ``unvollstaendig`` records apart from the successes and
names them (``ingest.results.IngestSummary.incomplete``).
"""

from __future__ import annotations

import re

from assistant.schema import ParsedField, ParseQuality, ParseStatus, Vorlage

MIN_CHARS = 15

_COVER_SHEET = re.compile(
    r"(?:Text|Inhalt|Wortlaut)\s+(?:dieser|der)\s+(?:Drucksache|Vorlage|Beschlussvorlage)\s+"
    r"(?:befindet sich|ist|steht)[^.\n]{0,40}\b(?:Anlage|Anhang|Datei)|"
    r"\bals\s+pdf-?Datei\s+unter\s+Anlagen\b|"
    r"(?:Vorlage|Drucksache)\s+(?:wird|werden)\s+(?:als\s+Anlage|nachgereicht|als\s+Tischvorlage)|"
    r"(?:beachten Sie|siehe)\s+(?:den|die|das)\s+(?:in der\s+)?Anlage\s+beigefügten?\s+"
    r"(?:Antrag|Vorlage|Text|Anfrage)",
    re.IGNORECASE,
)
#: Resolution and facts together shorter than this, pointing to an attachment: a cover sheet.
_POINTER_CHARS = 300
_NOTICE_ART = re.compile(
    r"Mitteilung|Information|Kenntnis|Bericht|Anfrage|Unterrichtung", re.IGNORECASE
)
_FIELDS: tuple[ParsedField, ...] = (
    "betreff",
    "vorlagen_nr",
    "beschlussvorschlag",
    "sachdarstellung",
    "beratungsfolge",
)
#: The German names of the fields, for messages built by the presenter.
INCOMPLETE: frozenset[ParseStatus] = frozenset({"unvollstaendig", "deckblatt"})


def assess(vorlage: Vorlage, profile: str) -> ParseQuality:
    """The ``ParseQuality`` of a parsed Vorlage read with ``profile`` (module docstring)."""
    found = [name for name in _FIELDS if _has(vorlage, name)]
    return ParseQuality(
        profile=profile,
        status=_status(vorlage, set(found)),
        found=found,
        missing=[name for name in _FIELDS if name not in found],
    )


def _has(vorlage: Vorlage, name: ParsedField) -> bool:
    if name == "beratungsfolge":
        return bool(vorlage.beratungsfolge)
    value = getattr(vorlage, name)
    limit = MIN_CHARS if name in ("beschlussvorschlag", "sachdarstellung") else 1
    return bool(value) and len(value.strip()) >= limit


def _status(vorlage: Vorlage, found: set[str]) -> ParseStatus:
    resolution = "beschlussvorschlag" in found
    facts = "sachdarstellung" in found
    content = f"{vorlage.beschlussvorschlag or ''}\n{vorlage.sachdarstellung or ''}"
    if len(content) < _POINTER_CHARS and _COVER_SHEET.search(content):
        return "deckblatt"  # the only text points to the Vorlage in an attachment
    if resolution and facts:
        return "vollstaendig"
    if not resolution and not facts:
        return "deckblatt" if _COVER_SHEET.search(vorlage.text) else "unvollstaendig"
    if facts and _is_notice(vorlage):
        return "kenntnisgabe"
    return "teilweise"


def _is_notice(vorlage: Vorlage) -> bool:
    """A Mitteilung or Kenntnisgabe: its kind says so, or every body only takes note."""
    if vorlage.art and _NOTICE_ART.search(vorlage.art):
        return True
    roles = {step.rolle for step in vorlage.beratungsfolge}
    return roles == {"Kenntnisnahme"}
