"""The variables every export format (and every Word template) is filled from.

One function, :func:`build_context`, turns a ``Draft`` into plain strings, lists and dicts, so
that the formats agree and a municipality's own Word template sees exactly the variables that
docs/export.md documents. Missing optional values become "" (never ``None``), so a template can
print any variable without a test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel

from assistant.presenter import (
    OEFFENTLICHKEIT,
    SEVERITY_LABELS,
    finding_text,
    german_date,
    section_title,
)

__all__ = [
    "KI_HINWEIS",
    "KOPF",
    "UNVALIDATED",
    "VORLAGEN_NR_OFFEN",
    "build_context",
    "findings_of",
    "rule_ids",
]

#: The note every export carries: the text was drafted with AI support.
KI_HINWEIS = (
    "Dieser Entwurf wurde mit KI-Unterstützung erstellt und ist vor der Verwendung "
    "fachlich zu prüfen."
)

#: The finding an export reports for a draft that was never validated (``validation`` is null).
UNVALIDATED = {
    "rule": "unvalidated",
    "message": "Der Entwurf wurde nicht automatisch geprüft.",
    "where": "",
}

#: What the header says while the council information system has not assigned a number.
VORLAGEN_NR_OFFEN = "wird vom Ratsinformationssystem vergeben"

#: The header rows of an export: (label, context key), in this order.
KOPF = (
    ("Kommune", "kommune"),
    ("Vorlagen-Nr.", "vorlagen_nr"),
    ("Datum", "datum"),
    ("Federführung", "federfuehrung"),
    ("Aktenzeichen", "aktenzeichen"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_TEXT_KEYS = ("beschlussvorschlag", "sachdarstellung", "begruendung", "finanzielle_auswirkungen")


def _text(value: object) -> str:
    """A clean string: ``None`` -> "", line ends normalised, control characters removed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _datum(value: object) -> str:
    """An ISO date (or date) printed the German way; anything else as text."""
    if isinstance(value, date):
        return german_date(value)
    text = _text(value)
    m = _ISO.match(text)
    return f"{m.group(3)}.{m.group(2)}.{m.group(1)}" if m else text


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def _first(key: str, *mappings: Mapping[str, Any]) -> Any:
    """The first non-empty value of ``key`` in ``mappings`` (draft first, then its request)."""
    for mapping in mappings:
        value = _get(mapping, key)
        if value not in (None, "", []):
            return value
    return None


def _dump(draft: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(draft, BaseModel):
        return draft.model_dump(mode="json")
    return dict(draft)


Findings = list[dict[str, str]]


def findings_of(draft: BaseModel | Mapping[str, Any]) -> tuple[Findings, Findings]:
    """(errors, warnings) of the draft's ValidationReport as {rule, message, where} strings.

    A draft without a ValidationReport (never validated) has the one error ``unvalidated``.
    """
    validation = _dump(draft).get("validation")
    if not isinstance(validation, Mapping):
        return [dict(UNVALIDATED)], []

    def norm(items: object) -> list[dict[str, str]]:
        result = []
        for item in items if isinstance(items, Sequence) and not isinstance(items, str) else []:
            if isinstance(item, Mapping):
                result.append(
                    {
                        "rule": _text(item.get("rule")),
                        "message": _text(item.get("message")),
                        "where": _text(item.get("where")),
                    }
                )
        return result

    return norm(validation.get("errors")), norm(validation.get("warnings"))


def rule_ids(findings: Sequence[Mapping[str, str]]) -> list[str]:
    """The distinct rule ids of ``findings`` in order of first appearance."""
    return list(dict.fromkeys(f["rule"] for f in findings if f.get("rule")))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def build_context(
    draft: BaseModel | Mapping[str, Any], *, forced: bool = False, today: date | None = None
) -> dict[str, Any]:
    """The template variables for ``draft`` (see docs/export.md for the list).

    ``pruefhinweise`` lists the validation errors and warnings when the draft has errors (an
    export of such a draft is only possible when forced); it is empty otherwise.
    """
    data = _dump(draft)
    request = data.get("request") or {}
    errors, warnings = findings_of(data)

    steps = _first("beratungsfolge", data, request) or []
    beratungsfolge = [
        {
            "gremium": _text(_get(s, "gremium")),
            "rolle": _text(_get(s, "rolle")),
            "datum": _datum(_get(s, "datum")),
            "oeffentlich": OEFFENTLICHKEIT.get(_get(s, "oeffentlich"), ""),
            "ergebnis": _text(_get(s, "ergebnis")),
        }
        for s in steps
        if isinstance(s, Mapping)
    ]
    gremium = _text(_first("gremium", request, data))
    if not gremium:
        gremium = next((s["gremium"] for s in beratungsfolge if s["rolle"] == "Entscheidung"), "")

    quellen = []
    for c in data.get("citations") or []:
        if not isinstance(c, Mapping):
            continue
        parts = [_text(c.get("kommune")), _text(c.get("vorlagen_nr"))]
        label = ", ".join(p for p in parts if p) or "Vorlage ohne Angaben"
        if _text(c.get("betreff")):
            label += f": {_text(c.get('betreff'))}"
        section = _text(c.get("section"))
        if section:
            label += f" (Abschnitt {section_title(section)})"
        quellen.append(
            {
                "n": _text(c.get("n")),
                "kommune": _text(c.get("kommune")),
                "vorlagen_nr": _text(c.get("vorlagen_nr")),
                "betreff": _text(c.get("betreff")),
                "section": section,
                "passage": _text(c.get("passage")),
                "label": label,
                "text": f"[{_text(c.get('n'))}] {label}",
            }
        )

    hinweise = []
    if errors:
        for severity, items in (("error", errors), ("warning", warnings)):
            schwere = SEVERITY_LABELS[severity]
            for f in items:
                text = finding_text(schwere, f["rule"], f["message"], f["where"])
                hinweise.append({**f, "schwere": schwere, "text": text})

    datum = _first("datum", request, data)
    anlagen = _first("anlagen", data, request) or []
    texts = {key: _text(_first(key, data, request)) for key in _TEXT_KEYS}
    head = {
        key: _text(_first(key, request, data))
        for key in ("kommune", "vorlagen_nr", "federfuehrung", "aktenzeichen")
    }
    head["datum"] = _datum(datum) if datum else german_date(today or date.today())
    return {
        **head,
        "vorlagen_nr_text": head["vorlagen_nr"] or VORLAGEN_NR_OFFEN,
        "kopf": _kopf(head),
        "datum_iso": _iso(datum) or (today or date.today()).isoformat(),
        "art": _text(_first("art", request, data)) or "Beschlussvorlage",
        "betreff": _text(_first("betreff", request, data)),
        "gremium": gremium,
        "beratungsfolge": beratungsfolge,
        **texts,
        **{f"{key}_absaetze": _paragraphs(value) for key, value in texts.items()},
        "anlagen": [_text(a) for a in anlagen if _text(a)],
        "quellen": quellen,
        "ki_hinweis": KI_HINWEIS,
        "pruefhinweise": hinweise,
        "erzwungen": bool(forced and errors),
        "model": _text(data.get("model")),
    }


def _kopf(head: Mapping[str, str]) -> list[dict[str, str]]:
    """The header rows (label, value) of an export: only those with a value, but always the
    Vorlagen-Nr. (the council information system assigns it, so it says so)."""
    rows = [{"label": label, "value": head[key]} for label, key in KOPF if head[key]]
    at = 1 if head["kommune"] else 0
    if not head["vorlagen_nr"]:
        rows.insert(at, {"label": "Vorlagen-Nr.", "value": VORLAGEN_NR_OFFEN})
    return rows


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    m = _ISO.match(_text(value))
    return m.group(0) if m else ""
