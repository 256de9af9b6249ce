"""Rule ``chronology``: the Beratungsfolge is in order.

Its dates do not go backwards, at most one step has the role Entscheidung, and that step is the
last one.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.schema import Beratungsschritt, Draft, Finding
from assistant.validation.findings import finding


def check_chronology(draft: Draft) -> Iterator[Finding]:
    """Beratungsfolge dates are in order; the Entscheidung is the last step, and there is one."""
    steps = draft.beratungsfolge
    previous: tuple[int, Beratungsschritt] | None = None
    for i, step in enumerate(steps):
        if step.datum is None:
            continue
        if (
            previous is not None
            and previous[1].datum is not None
            and step.datum < previous[1].datum
        ):
            yield finding(
                "chronology",
                f"„{step.gremium}“ tagt am {step.datum:%d.%m.%Y} und damit vor "
                f"„{previous[1].gremium}“ ({previous[1].datum:%d.%m.%Y}), steht aber danach in "
                "der Beratungsfolge.",
                field_name=f"beratungsfolge[{i}].datum",
                token=f"{step.datum:%d.%m.%Y}",
            )
        previous = (i, step)
    decisions = [i for i, s in enumerate(steps) if s.rolle == "Entscheidung"]
    if len(decisions) > 1:
        names = ", ".join(f"„{steps[i].gremium}“" for i in decisions)
        yield finding(
            "chronology",
            f"Mehr als ein Gremium hat die Rolle „Entscheidung“: {names}.",
            field_name="beratungsfolge",
        )
    if decisions and decisions[0] != len(steps) - 1:
        after = ", ".join(f"„{s.gremium}“" for s in steps[decisions[0] + 1 :])
        yield finding(
            "chronology",
            f"Nach der Entscheidung durch „{steps[decisions[0]].gremium}“ folgen noch {after}; "
            "die Entscheidung muss der letzte Schritt sein.",
            field_name=f"beratungsfolge[{decisions[0]}].rolle",
        )
