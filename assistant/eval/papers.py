"""Which papers can be regenerated, choosing them, and the request a clerk would have written.

:func:`skip_reason` tells whether a parsed paper can be regenerated; :func:`choose_papers`
picks ``n`` usable papers spread evenly over a sorted list; :func:`request_from_vorlage` turns
one paper into the :class:`DraftRequest` its clerk would have typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.eval.clerk_facts import fact_sentences
from assistant.schema import Beratungsschritt, DraftRequest, Vorlage

__all__ = [
    "NO_FINANCES",
    "Skipped",
    "choose_papers",
    "deciding_gremium",
    "evenly_spaced",
    "request_from_vorlage",
    "skip_reason",
]

NO_FINANCES = "keine"


# --- choosing papers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A paper that was looked at and not used, with the German reason."""

    source: str
    reason: str


def skip_reason(vorlage: Vorlage) -> str | None:
    """Why ``vorlage`` cannot be regenerated (German, e.g. "ohne Beschlussvorschlag"), or
    ``None`` when it can: it needs a Betreff, a Beschlussvorschlag, a Sachdarstellung (the
    reference texts and the source of the facts) and at least one Beratungsschritt (the
    deciding body)."""
    missing = [
        label
        for label, value in (
            ("ohne Betreff", vorlage.betreff),
            ("ohne Beschlussvorschlag", vorlage.beschlussvorschlag),
            ("ohne Sachdarstellung", vorlage.sachdarstellung),
        )
        if not (value or "").strip()
    ]
    if not vorlage.beratungsfolge:
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
    sorted by name run from 2004 to 2026) instead of its first years. A stretch without a
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


# --- the request a clerk would have written -------------------------------------------------------


def deciding_gremium(steps: Sequence[Beratungsschritt]) -> str | None:
    """The deciding body: the (last) step with rolle Entscheidung, else the last step."""
    deciding = [step for step in steps if step.rolle == "Entscheidung"]
    chosen = deciding[-1] if deciding else (steps[-1] if steps else None)
    return " ".join(chosen.gremium.split()) if chosen else None


def request_from_vorlage(vorlage: Vorlage) -> DraftRequest:
    """The request a clerk would have written for ``vorlage`` (which must pass
    :func:`skip_reason`).

    Betreff, Kommune and Art are the paper's own (Art "Beschlussvorlage" when unknown); the
    deciding body is :func:`deciding_gremium`; the Beratungsfolge is the paper's without the
    ``ergebnis`` of each step (a clerk drafts before the bodies have met); the facts are
    :func:`~assistant.eval.clerk_facts.fact_sentences` of its Sachdarstellung, as a bullet
    list; the Finanzielle Auswirkungen are the paper's own text, and "keine" when it has none
    (the model never writes that section, so without a text every draft would fail the
    ``required`` rule for a reason that says nothing about drafting). No search filters: the
    paper's Kommune may be unknown.
    """
    gremium = deciding_gremium(vorlage.beratungsfolge)
    if gremium is None or skip_reason(vorlage) is not None:
        raise ValueError(f"paper {vorlage.id} cannot be regenerated: {skip_reason(vorlage)}")
    return DraftRequest(
        betreff=" ".join((vorlage.betreff or "").split()),
        kommune=vorlage.kommune,
        federfuehrung=vorlage.federfuehrung,
        gremium=gremium,
        beratungsfolge=[
            step.model_copy(update={"ergebnis": None}) for step in vorlage.beratungsfolge
        ],
        art=vorlage.art or "Beschlussvorlage",
        fakten="\n".join(f"- {s}" for s in fact_sentences(vorlage.sachdarstellung or "")),
        finanzielle_auswirkungen=(vorlage.finanzielle_auswirkungen or "").strip() or NO_FINANCES,
    )
