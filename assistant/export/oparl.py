"""The Draft as an OParl 1.1 ``Paper``-shaped JSON object.

Standard Paper fields: ``type``, ``name`` (Betreff), ``reference`` (Vorlagen-Nr.), ``date``,
``paperType`` (Art), ``body`` and ``underDirectionOf`` (embedded objects with a ``name``, since
a draft has no server URLs), ``consultation`` (one Consultation per Beratungsschritt with
``role``, ``authoritative``, an embedded ``organization`` with its name, and the ``meeting``
start date when known). A Paper has no text fields of its own (its texts live in Files), so
the draft's texts go into prefixed vendor-extension fields ``vorlagen:*``; a forced export of a
draft with errors carries them in ``vorlagen:pruefhinweise``. ``ingest.sources.oparl`` reads the
standard part back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

SCHEMA = "https://schema.oparl.org/1.1/"


def _iso(german: str) -> str | None:
    """ "14.03.2025" -> "2025-03-14"; ``None`` for anything else."""
    try:
        d, m, y = german.split(".")
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _named(kind: str, name: str) -> dict[str, str]:
    return {"type": SCHEMA + kind, "name": name}


def render_oparl(context: Mapping[str, Any]) -> dict[str, Any]:
    """The Paper object from the context of :func:`~assistant.export.context.build_context`."""
    consultations = []
    for step in context["beratungsfolge"]:
        consultation: dict[str, Any] = {
            "type": SCHEMA + "Consultation",
            "role": step["rolle"] or None,
            "authoritative": step["rolle"] == "Entscheidung",
            "organization": [_named("Organization", step["gremium"])],
        }
        start = _iso(step["datum"]) if step["datum"] else None
        if start:
            consultation["meeting"] = {"type": SCHEMA + "Meeting", "start": start}
        consultations.append(consultation)

    paper: dict[str, Any] = {
        "type": SCHEMA + "Paper",
        "name": context["betreff"],
        "reference": context["vorlagen_nr"] or None,
        "date": context["datum_iso"],
        "paperType": context["art"],
    }
    if context["kommune"]:
        paper["body"] = _named("Body", context["kommune"])
    if context["federfuehrung"]:
        paper["underDirectionOf"] = [_named("Organization", context["federfuehrung"])]
    paper["consultation"] = consultations
    paper.update(
        {
            "vorlagen:beschlussvorschlag": context["beschlussvorschlag"],
            "vorlagen:sachdarstellung": context["sachdarstellung"],
            "vorlagen:begruendung": context["begruendung"] or None,
            "vorlagen:finanzielleAuswirkungen": context["finanzielle_auswirkungen"],
            "vorlagen:anlagen": context["anlagen"],
            "vorlagen:quellen": [
                {
                    "n": int(q["n"]) if str(q["n"]).isdigit() else q["n"],
                    **{k: q[k] or None for k in ("kommune", "vorlagen_nr", "betreff", "section")},
                }
                for q in context["quellen"]
            ],
            "vorlagen:kiHinweis": context["ki_hinweis"],
        }
    )
    if context["pruefhinweise"]:
        paper["vorlagen:pruefhinweise"] = [
            {k: h[k] for k in ("schwere", "rule", "message", "where")}
            for h in context["pruefhinweise"]
        ]
    return paper
