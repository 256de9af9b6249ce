"""Matters whose Beschlussvorschlag has a fixed wording (issue 9): code writes it whole.

Some kinds of Vorlage are decided in the same words everywhere, because a statute or the
procurement rules give the step: a Bebauungsplan's draft is laid out (§ 3 Abs. 2 BauGB), a
contract is awarded, donations are accepted. The Betreff names the
kind. For these the resolution is written by code from the Betreff alone, and the model is not
asked (``bench/resolution_fallback.py`` measures each wording against ~1,000 real Karlsruhe
resolutions). A wording enters only where it beats the Betreff fallback there: "den
Bebauungsplan … als Satzung" for a Satzungsbeschluss did not (chrF 11.1 against 13.4, 22
papers), so that kind is left to the general path.

:func:`fixed_resolution` returns the object (and an instruction, where the kind has one) for
:func:`assistant.resolution.compose`, or ``None`` for every other matter. It states nothing
that the Betreff does not: no §, no date, no amount, no firm.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.resolution import Form, compose

__all__ = ["FixedResolution", "fixed_resolution"]


@dataclass(frozen=True)
class FixedResolution:
    """What code writes for a matter of a known kind: the form, the object and the
    instruction to the administration ("" for none)."""

    kind: str
    form: Form
    gegenstand: str
    auftrag: str = ""
    clause: bool = False
    """Whether ``gegenstand`` is an infinitive clause (a comma before it)."""

    def written(self, gremium: str, recommending: Sequence[str] = ()) -> str:
        """The resolution in full (:func:`assistant.resolution.compose`)."""
        return compose(
            self.form,
            gremium,
            self.gegenstand,
            recommending=recommending,
            instruction=self.auftrag,
            clause=self.clause,
        )


_BPLAN = re.compile(
    r"^(?P<vorhaben>vorhabenbezogene[rn]?\s+)?Bebauungsplan(?:es|s)?\s+(?P<name>[^:]+?)\s*:\s*"
    r"Auslegungsbeschluss\b",
    re.IGNORECASE,
)
_ZUWENDUNGEN = re.compile(r"(?i)^\s*Annahme\s+(?:des\s+Angebots\s+)?von\s+(?:Zuwendungen|Spenden)")
_VERGABE = re.compile(r"(?i)\b(?:Vergabe|Auftragsvergabe)\b")


def _plain(betreff: str) -> str:
    return " ".join(betreff.split()).strip(' „“"')


def _quoted(name: str) -> str:
    """Straight double quotes around a name become German ones: "A" -> „A“."""
    return re.sub(r'"([^"]+)"', "„\\1“", name)


def _bebauungsplan(betreff: str) -> FixedResolution | None:
    match = _BPLAN.match(_plain(betreff))
    if match is None:
        return None
    name = _quoted(match.group("name").strip(" ,"))
    if "," in name:  # "„Karlsruher Weg 17“, Karlsruhe-Nordweststadt," closes the apposition
        name += ","
    plan = "vorhabenbezogenen Bebauungsplans" if match.group("vorhaben") else "Bebauungsplans"
    obj = (
        f"das Verfahren zur Aufstellung des {plan} {name} mit der öffentlichen Auslegung "
        "des Planentwurfs fortzusetzen"
    )
    return FixedResolution("bebauungsplan-auslegung", "beschliesst", obj, clause=True)


def fixed_resolution(betreff: str, form: Form) -> FixedResolution | None:
    """The fixed wording for the matter the Betreff names, or ``None``.

    ``form`` is the form chosen for the request (:func:`assistant.resolution.choose_form`); a
    Vorlage to be taken note of ("kenntnis") never has a fixed wording, and the award of a
    contract keeps the chosen verb ("genehmigt die Vergabe", "stimmt der Vergabe … zu").
    """
    if form == "kenntnis":
        return None
    plan = _bebauungsplan(betreff)
    if plan is not None:
        return plan
    name = _plain(betreff)
    if _ZUWENDUNGEN.match(name):
        return FixedResolution(
            "zuwendungen", "beschliesst", "die Annahme der angebotenen Zuwendungen"
        )
    if _VERGABE.search(name):
        article = "der" if form == "stimmt_zu" else "die"
        return FixedResolution(
            "vergabe",
            form,
            f"{article} Vergabe „{name}“ wie in der Sachdarstellung dargestellt",
            "den Zuschlag zu erteilen",
        )
    return None
