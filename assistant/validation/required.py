"""Rule ``required``: the parts every Vorlage needs are there.

Betreff, Beschlussvorschlag, Sachdarstellung and Finanzielle Auswirkungen are not empty, and
the Beratungsfolge has a step with the role Entscheidung.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.findings import FIELD_TITLES, finding


def check_required(draft: Draft) -> Iterator[Finding]:
    """betreff, beschlussvorschlag, sachdarstellung, finanzielle_auswirkungen and one
    Beratungsschritt with rolle Entscheidung are present and non-empty."""
    if not draft.request.betreff.strip():
        yield finding("required", "Der Betreff fehlt.", field_name="request.betreff")
    for name in ("beschlussvorschlag", "sachdarstellung", "finanzielle_auswirkungen"):
        if not getattr(draft, name).strip():
            title = FIELD_TITLES[name]
            yield finding(
                "required", f"Der Abschnitt „{title}“ fehlt oder ist leer.", field_name=name
            )
    if not any(step.rolle == "Entscheidung" for step in draft.beratungsfolge):
        yield finding(
            "required",
            "In der Beratungsfolge ist kein Gremium mit der Rolle „Entscheidung“ angegeben.",
            field_name="beratungsfolge",
        )
