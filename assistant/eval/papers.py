"""Which papers can be regenerated, choosing them, and the request a clerk would have written.

:func:`skip_reason` tells whether a parsed paper can be regenerated; :func:`choose_papers`
picks ``n`` usable papers spread evenly over a sorted list; :func:`request_from_vorlage` turns
one paper into the :class:`DraftRequest` its clerk would have typed. Where the parsed paper
lacks what the clerk certainly knew — the deciding body when the page printed no
Beratungsfolge, the Betreff when it printed none — it is taken from the paper's own
Beschlussvorschlag (:func:`resolution_gremium`, :func:`resolution_betreff`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.eval.clerk_facts import fact_sentences
from assistant.schema import Beratungsschritt, DraftRequest, Vorlage
from assistant.validation.bodies import Clause, clauses, is_executive, is_generic

__all__ = [
    "NO_FINANCES",
    "Skipped",
    "betreff_of",
    "choose_papers",
    "deciding_body",
    "deciding_gremium",
    "evenly_spaced",
    "request_from_vorlage",
    "resolution_betreff",
    "resolution_gremium",
    "skip_reason",
]

NO_FINANCES = "keine"
# A quoted name in a resolution: the measure it is about („Integration im Fokus: …“).
_QUOTED = re.compile(r"„(?P<name>[^“\n]{3,200})“")


# --- choosing papers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A paper that was looked at and not used, with the German reason."""

    source: str
    reason: str


def skip_reason(vorlage: Vorlage) -> str | None:
    """Why ``vorlage`` cannot be regenerated (German, e.g. "ohne Beschlussvorschlag"), or
    ``None`` when it can: it needs a Betreff (:func:`betreff_of`), a Beschlussvorschlag, a
    Sachdarstellung (the reference texts and the source of the facts) and a deciding body
    (:func:`deciding_body`: from the Beratungsfolge, else from the Beschlussvorschlag)."""
    missing = [
        label
        for label, value in (
            ("ohne Betreff", betreff_of(vorlage)),
            ("ohne Beschlussvorschlag", vorlage.beschlussvorschlag),
            ("ohne Sachdarstellung", vorlage.sachdarstellung),
        )
        if not (value or "").strip()
    ]
    if deciding_body(vorlage) is None:
        missing.append("ohne Beratungsfolge")
    return ", ".join(missing) or None


def evenly_spaced(total: int, n: int) -> list[int]:
    """``min(n, total)`` start positions spread evenly over ``range(total)``:
    ``floor(i * total / n)`` for ``i = 0 … n-1`` (0 is always first)."""
    if total < 0 or n < 0:
        raise ValueError("total and n must be >= 0")
    n = min(n, total)
    return [i * total // n for i in range(n)]


def choose_papers(
    paths: Sequence[Path], n: int, load: Callable[[Path], Vorlage | str]
) -> tuple[list[Vorlage], list[Skipped]]:
    """``n`` usable papers spread evenly over ``paths`` (deterministic, no seed).

    ``paths`` is split into ``n`` equal stretches (:func:`evenly_spaced`); from each stretch
    the first usable paper is taken, so the choice covers the whole list (the Karlsruhe papers
    sorted by name run from 2004 to 2026) instead of its first years. With no more paths than
    ``n`` every stretch is one path, so every usable paper is taken. A stretch without a
    usable paper gives none, so fewer than ``n`` papers can come back. ``load`` parses one path
    and returns the Vorlage or a German reason why it could not be read. Every paper looked at
    and not used is returned as :class:`Skipped`.
    """
    starts = evenly_spaced(len(paths), n)
    chosen: list[Vorlage] = []
    skipped: list[Skipped] = []
    for slot, start in enumerate(starts):
        end = starts[slot + 1] if slot + 1 < len(starts) else len(paths)
        for path in paths[start:end]:
            loaded = load(path)
            if isinstance(loaded, str):
                skipped.append(Skipped(path.name, loaded))
                continue
            reason = skip_reason(loaded)
            if reason is not None:
                skipped.append(Skipped(path.name, reason))
                continue
            chosen.append(loaded)
            break
    return chosen, skipped


# --- the deciding body and the Betreff ------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())


def deciding_gremium(steps: Sequence[Beratungsschritt]) -> str | None:
    """The deciding body: the (last) step with rolle Entscheidung, else the last step."""
    deciding = [step for step in steps if step.rolle == "Entscheidung"]
    chosen = deciding[-1] if deciding else (steps[-1] if steps else None)
    return _flat(chosen.gremium) if chosen else None


def _named_bodies(text: str) -> list[Clause]:
    """The validator's clauses of ``text`` in which a named council body acts ("Der Kreistag
    beschließt"), without generic ("Die städtischen Gremien") and executive (Bürgermeister)
    subjects."""
    return [c for c in clauses(text) if not (is_generic(c.body) or is_executive(c.body))]


def resolution_gremium(text: str) -> str | None:
    """The deciding body named by a Beschlussvorschlag: in its last clause in which a body acts,
    the addressee of a recommendation ("… empfiehlt dem Kreistag, …") or else the acting body
    ("Der Kreistag beschließt …"); ``None`` when no clause names a body."""
    found = _named_bodies(text)
    if not found:
        return None
    last = found[-1]
    return _flat(last.target if last.target else last.body)


def _resolution_steps(text: str, gremium: str) -> list[Beratungsschritt]:
    """A Beratungsfolge read from a Beschlussvorschlag: each body that recommends to another
    (Vorberatung, in order), then the deciding body (Entscheidung)."""
    advising = dict.fromkeys(_flat(c.body) for c in _named_bodies(text) if c.target)
    steps = [Beratungsschritt(gremium=b, rolle="Vorberatung") for b in advising if b != gremium]
    return [*steps, Beratungsschritt(gremium=gremium, rolle="Entscheidung")]


def deciding_body(vorlage: Vorlage) -> str | None:
    """The body that decides ``vorlage``: :func:`deciding_gremium` of its Beratungsfolge, or,
    when the parsed paper has none (a web page that printed it collapsed), the body its own
    Beschlussvorschlag names (:func:`resolution_gremium`)."""
    return deciding_gremium(vorlage.beratungsfolge) or resolution_gremium(
        vorlage.beschlussvorschlag or ""
    )


def resolution_betreff(text: str) -> str | None:
    """A Betreff read from a Beschlussvorschlag: the first name in German quotation marks (the
    measure resolved on, „Integration im Fokus: …“), without the marks; ``None`` without one."""
    match = _QUOTED.search(text)
    return _flat(match.group("name")) if match else None


def betreff_of(vorlage: Vorlage) -> str | None:
    """The paper's Betreff, or when it printed none, :func:`resolution_betreff`."""
    own = _flat(vorlage.betreff or "")
    return own or resolution_betreff(vorlage.beschlussvorschlag or "")


# --- the request a clerk would have written -------------------------------------------------------


def _steps(vorlage: Vorlage, gremium: str) -> list[Beratungsschritt]:
    if not vorlage.beratungsfolge:
        return _resolution_steps(vorlage.beschlussvorschlag or "", gremium)
    return [step.model_copy(update={"ergebnis": None}) for step in vorlage.beratungsfolge]


def request_from_vorlage(vorlage: Vorlage) -> DraftRequest:
    """The request a clerk would have written for ``vorlage`` (which must pass
    :func:`skip_reason`).

    Betreff (:func:`betreff_of`), Kommune and Art are the paper's own (Art "Beschlussvorlage"
    when unknown); the deciding body is :func:`deciding_body`; the Beratungsfolge is the paper's
    without the ``ergebnis`` of each step (a clerk drafts before the bodies have met), and for a
    paper without one the steps its Beschlussvorschlag names (the recommending bodies, then the
    deciding one); the facts are :func:`~assistant.eval.clerk_facts.fact_sentences` of its
    Sachdarstellung, as a bullet list; the Finanzielle Auswirkungen are the paper's own text,
    and "keine" when it has none (the model never writes that section, so without a text every
    draft would fail the ``required`` rule for a reason that says nothing about drafting). No
    search filters: the paper's Kommune may be unknown.
    """
    gremium = deciding_body(vorlage)
    betreff = betreff_of(vorlage)
    if gremium is None or betreff is None or skip_reason(vorlage) is not None:
        raise ValueError(f"paper {vorlage.id} cannot be regenerated: {skip_reason(vorlage)}")
    return DraftRequest(
        betreff=betreff,
        kommune=vorlage.kommune,
        federfuehrung=vorlage.federfuehrung,
        gremium=gremium,
        beratungsfolge=_steps(vorlage, gremium),
        art=vorlage.art or "Beschlussvorlage",
        fakten="\n".join(f"- {s}" for s in fact_sentences(vorlage.sachdarstellung or "")),
        finanzielle_auswirkungen=(vorlage.finanzielle_auswirkungen or "").strip() or NO_FINANCES,
    )
