"""OParl 1.x ``Paper`` objects (Drucksachen) as a source.

Two entry points:

* ``load_oparl_paper(path)`` reads a Paper JSON file in the corpus layout
  ``papers/<id>.json`` whose Vorlage text lies in ``../file-contents/<fileId>.txt`` (the text a
  File's PDF yielded);
* ``paper_hints(paper)`` turns a Paper mapping into ``Hints``; an OParl API client reuses it.

What a Paper states as data wins over the text (see ``ingest.parse``), but only where the data
says something: URLs are references, not names, so an organisation given only as URL yields no
Federführung and a consultation without an embedded organisation name yields no
Beratungsschritt (the Beratungsfolge table in the text is used then).

OParl servers in the wild deviate from the specification; the importers of the OParl community
(politik-bei-uns, Meine Stadt Transparent, oparl-validator) tolerate the following, and so
does this module:

* an object where an array is expected and an array where an object is expected;
* "N/A", "", "null", "None", "-" strings for missing values, and missing fields;
* dates with a time and zone ("2025-01-10T14:27:04+01:00") where a date is expected;
* ``reference`` given as a number; ``paperType`` missing;
* File ids given as numbers instead of URLs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from assistant.schema import Beratungsschritt, Rolle
from ingest.errors import IngestError
from ingest.sources.base import Hints, RawDocument
from ingest.sources.text import decode_text

_MISSING = frozenset({"", "n/a", "na", "null", "none", "nil", "-", "--"})
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_GERMAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")
_SPACES = re.compile(r"\s+")
_ROLES: dict[str, Rolle] = {
    "entscheidung": "Entscheidung",
    "beschlussfassung": "Entscheidung",
    "beschluss": "Entscheidung",
    "vorberatung": "Vorberatung",
    "vorberatend": "Vorberatung",
    "beratung": "Beratung",
    "kenntnisnahme": "Kenntnisnahme",
    "zur kenntnisnahme": "Kenntnisnahme",
    "anhörung": "Anhörung",
}
_TEXT_DIR = "file-contents"


# ---------------------------------------------------------------------------------------------
# Tolerant accessors


def _value(raw: object) -> object | None:
    """``raw`` unless it is one of the many spellings of "missing"."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip().lower() in _MISSING:
        return None
    return raw


def _text(raw: object) -> str | None:
    """A clean one-line string from a string or number; ``None`` for missing values."""
    raw = _value(_one(raw))
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    text = _SPACES.sub(" ", str(raw)).strip()
    return text or None


def _many(raw: object) -> list[object]:
    """A list from a list, a single object, or nothing."""
    raw = _value(raw)
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return [item for item in raw if _value(item) is not None]
    return [raw]


def _one(raw: object) -> object | None:
    """A single value from a value or a list of values (the first usable one)."""
    if isinstance(raw, list | tuple):
        return next((item for item in raw if _value(item) is not None), None)
    return raw


def _date(raw: object) -> date | None:
    """A date from "2025-01-10", "2025-01-10T14:27:04+01:00" or "10.01.2025"."""
    text = _text(raw)
    if text is None:
        return None
    m = _ISO_DATE.match(text)
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None and (g := _GERMAN_DATE.match(text)):
        parts = (g.group(3), g.group(2), g.group(1))
    if parts is None:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _name(raw: object) -> str | None:
    """The name of an embedded object; a URL or bare id is not a name."""
    raw = _one(raw)
    if not isinstance(raw, Mapping):
        return None
    return _text(raw.get("name")) or _text(raw.get("shortName"))


# ---------------------------------------------------------------------------------------------
# Hints


def paper_hints(paper: Mapping[str, Any]) -> Hints:
    """The metadata a Paper states, as ``Hints`` (fields it does not state stay ``None``)."""
    return Hints(
        kommune=_name(paper.get("body")),
        vorlagen_nr=_text(paper.get("reference")),
        art=_text(paper.get("paperType")),
        datum=_date(paper.get("date")),
        betreff=_text(paper.get("name")),
        federfuehrung=_federfuehrung(paper),
        beratungsfolge=_beratungsfolge(paper),
    )


def _federfuehrung(paper: Mapping[str, Any]) -> str | None:
    for org in _many(paper.get("underDirectionOf")):
        name = _name(org)
        if name:
            return name
    return None


def _beratungsfolge(paper: Mapping[str, Any]) -> list[Beratungsschritt]:
    steps = [s for c in _many(paper.get("consultation")) if (s := _consultation_step(c))]
    # Servers list consultations in no guaranteed order; the meeting dates give it.
    if all(s.datum is not None for s in steps):
        steps.sort(key=lambda s: s.datum or date.min)
    return steps


def _consultation_step(raw: object) -> Beratungsschritt | None:
    if not isinstance(raw, Mapping):
        return None
    names = [n for org in _many(raw.get("organization")) if (n := _name(org))]
    if not names:
        return None
    meeting = _one(raw.get("meeting"))
    when = _date(meeting.get("start")) if isinstance(meeting, Mapping) else None
    role = _text(raw.get("role"))
    agenda = _one(raw.get("agendaItem"))
    result = _text(agenda.get("result")) if isinstance(agenda, Mapping) else None
    public = agenda.get("public") if isinstance(agenda, Mapping) else None
    return Beratungsschritt(
        gremium=" / ".join(names),
        rolle=_ROLES.get(role.lower()) if role else None,
        datum=when,
        oeffentlich=public if isinstance(public, bool) else None,
        ergebnis=result,
    )


# ---------------------------------------------------------------------------------------------
# Paper detection and loading


def is_oparl_paper(data: object) -> bool:
    """True for a mapping that is an OParl Paper (by its ``type`` or, without one, its shape)."""
    if not isinstance(data, Mapping):
        return False
    kind = _text(data.get("type"))
    if kind is not None:
        return kind.rstrip("/").rsplit("/", 1)[-1].lower() == "paper"
    has_title = any(_value(data.get(k)) is not None for k in ("name", "reference"))
    has_paper_field = any(
        k in data for k in ("paperType", "mainFile", "auxiliaryFile", "consultation")
    )
    return has_title and has_paper_field


def load_oparl_paper(path: Path) -> RawDocument:
    """Read a Paper JSON file and the text of its Vorlage file (corpus layout, see above)."""
    paper = _read_paper(path)
    text_dir = path.resolve().parent.parent / _TEXT_DIR
    for key in _file_keys(paper):
        candidate = text_dir / f"{key}.txt"
        if not candidate.is_file():
            continue
        data = candidate.read_bytes()
        if not data.strip():
            continue
        return RawDocument(
            text=decode_text(data, candidate.name),
            system="oparl",
            path=str(path),
            hints=paper_hints(paper),
        )
    label = _text(paper.get("reference")) or _text(paper.get("name")) or path.stem
    raise IngestError(
        f"Zur Vorlage {label} wurde keine Textdatei gefunden "
        f"(erwartet in {text_dir.name}/ neben {path.parent.name}/)."
    )


def _read_paper(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except OSError as err:
        raise IngestError(f"Die Datei {path.name} konnte nicht gelesen werden.") from err
    except (ValueError, UnicodeDecodeError) as err:
        raise IngestError(f"Die Datei {path.name} ist kein gültiges JSON.") from err
    if not is_oparl_paper(data):
        raise IngestError(f"Die JSON-Datei {path.name} ist kein OParl-Paper (Vorlage).")
    assert isinstance(data, Mapping)
    return data


def _file_keys(paper: Mapping[str, Any]) -> Iterator[str]:
    """Text-file names to try, mainFile first, then the auxiliary files in order."""
    seen: set[str] = set()
    files = [*_many(paper.get("mainFile")), *_many(paper.get("auxiliaryFile"))]
    for file in files:
        for key in _keys_of(file):
            if key not in seen:
                seen.add(key)
                yield key


def _keys_of(file: object) -> Iterator[str]:
    """The last part of a File's id ("…/files/32999" -> "32999"), also from a bare id."""
    raw = _value(file.get("id")) if isinstance(file, Mapping) else _value(file)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return
    key = str(raw).strip().rstrip("/").rsplit("/", 1)[-1]
    if re.fullmatch(r"[\w.\-]{1,100}", key):
        yield key
