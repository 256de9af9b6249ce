"""Rule ``deciding-body``: the right body decides.

The body that decides in the Beschlussvorschlag is the one with the role Entscheidung in the
Beratungsfolge (or ``request.gremium``). A body that recommends ("Der Ausschuss empfiehlt dem
Rat, …") stands before the deciding body in the Beratungsfolge and addresses it; a consulted
body may take note of something, and the deciding body may recommend something to the mayor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.schema import Draft, Finding
from assistant.validation.bodies import (
    NOTING_VERBS,
    RECOMMENDING_VERBS,
    Clause,
    clauses,
    deciding_body_of,
    is_executive,
    is_generic,
    same_body,
)
from assistant.validation.findings import finding


def _index_of(draft: Draft, name: str, before: int | None) -> int | None:
    limit = len(draft.beratungsfolge) if before is None else before
    for i, step in enumerate(draft.beratungsfolge[:limit]):
        if same_body(step.gremium, name):
            return i
    return None


def _check_recommendation(
    draft: Draft, clause: Clause, decider: str, decider_index: int | None
) -> Iterator[Finding]:
    """ "X empfiehlt dem Y": Y must be the deciding body and X must come before it.

    The deciding body itself may recommend something to the executive ("Der Gemeinderat
    empfiehlt dem Oberbürgermeister ..."): that is its own resolution.
    """
    target = clause.target
    if target is not None and not is_executive(target) and not same_body(target, decider):
        yield finding(
            "deciding-body",
            f"Die Empfehlung richtet sich an „{target}“, entscheiden soll laut "
            f"Beratungsfolge aber „{decider}“.",
            field_name="beschlussvorschlag",
            span=clause.target_span,
            token=target,
        )
    if same_body(clause.body, decider):
        return
    if draft.beratungsfolge and _index_of(draft, clause.body, decider_index) is None:
        yield finding(
            "deciding-body",
            f"„{clause.body}“ spricht eine Empfehlung aus, steht aber nicht vor dem "
            f"entscheidenden Gremium „{decider}“ in der Beratungsfolge.",
            field_name="beschlussvorschlag",
            span=clause.span,
            token=clause.body,
        )


def _check_acting_body(draft: Draft, clause: Clause, decider: str) -> Iterator[Finding]:
    if same_body(clause.body, decider):
        return
    noting = re.fullmatch(NOTING_VERBS, clause.verb) is not None
    if noting and any(same_body(s.gremium, clause.body) for s in draft.beratungsfolge):
        return  # a consulted body may take note
    yield finding(
        "deciding-body",
        f"Im Beschlussvorschlag entscheidet „{clause.body}“, laut Beratungsfolge entscheidet "
        f"aber „{decider}“.",
        field_name="beschlussvorschlag",
        span=clause.span,
        token=clause.body,
    )


def check_deciding_body(draft: Draft) -> Iterator[Finding]:
    """The body that decides in the Beschlussvorschlag is the one with rolle Entscheidung (or
    request.gremium); recommending bodies come earlier in the Beratungsfolge."""
    decider, decider_index = deciding_body_of(draft)
    if decider is None or not draft.beschlussvorschlag.strip():
        return
    for clause in clauses(draft.beschlussvorschlag):
        if is_generic(clause.body):
            continue  # "Die städtischen Gremien erkennen ... an": every body in turn
        if re.fullmatch(RECOMMENDING_VERBS, clause.verb):
            yield from _check_recommendation(draft, clause, decider, decider_index)
        else:
            yield from _check_acting_body(draft, clause, decider)
