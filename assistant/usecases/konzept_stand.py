"""Where a concept stands: per measure, the Vorlagen that took it up (with the passage that
shows it), the measures none has taken up yet, the adopting Vorlage and the Vorlagen that
name a Handlungsfeld (``vorlagen konzept stand KONZEPT``, ``GET /api/konzepte/{id}/stand``).

The rules are those of :mod:`assistant.konzept_links`. The store's parsed records are read
(every id of the keyword index); nichtöffentliche Vorlagen, and a nichtöffentliche concept,
only for callers who may see them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from assistant.konzept_links import (
    Evidence,
    adoption,
    candidates,
    field_uptake,
    measure_uptake,
    squash,
)
from assistant.ports_records import VorlageRecords
from assistant.presenter_konzept import konzept_label
from assistant.schema import Vorlage

__all__ = ["Fundstelle", "KonzeptStand", "MassnahmeStand", "UnknownKonzept", "konzept_stand"]

UNKNOWN_KONZEPT = (
    "Ein solches Konzept ist im Index nicht vorhanden; bitte die Kennung oder einen Teil des "
    "Titels angeben (vorlagen search --kind konzept zeigt die Konzepte)."
)


class UnknownKonzept(LookupError):
    """No such concept, or the caller may not see it (the same German sentence for both)."""

    def __init__(self) -> None:
        super().__init__(UNKNOWN_KONZEPT)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fundstelle(_Model):
    """A Vorlage linked to the concept: which rule links it and the passage that shows it."""

    vorlage_id: str
    vorlagen_nr: str | None = None
    betreff: str | None = None
    datum: date | None = None
    regel: str
    passage: str


class MassnahmeStand(_Model):
    """One measure with the Vorlagen that took it up (empty: not taken up yet)."""

    nummer: str
    titel: str
    handlungsfeld: str
    vorlagen: list[Fundstelle] = Field(default_factory=list)


class FeldStand(_Model):
    """One Handlungsfeld with the Vorlagen that name it."""

    nummer: str | None = None
    titel: str
    vorlagen: list[Fundstelle] = Field(default_factory=list)


class KonzeptStand(_Model):
    """The state of a concept's implementation as the store's Vorlagen show it."""

    id: str
    label: str
    titel: str
    zeitraum: str | None = None
    kommune: str | None = None
    beschluss: Fundstelle | None = None
    massnahmen: list[MassnahmeStand] = Field(default_factory=list)
    offen: list[str] = Field(
        default_factory=list, description="Numbers of the measures no Vorlage took up yet."
    )
    handlungsfelder: list[FeldStand] = Field(default_factory=list)
    vorlagen_geprueft: int = 0


def konzept_stand(
    records: VorlageRecords, ids: Iterable[str], konzept: str, *, allow_nonpublic: bool = False
) -> KonzeptStand:
    """The state of the concept ``konzept`` (its id or a part of its title).

    Raises:
        UnknownKonzept: no visible concept matches.
    """
    visible = [
        v
        for v in (records.get(i) for i in sorted(ids))
        if v is not None and (allow_nonpublic or v.oeffentlich is True)
    ]
    chosen = _find(visible, konzept)
    structure = chosen.konzept
    assert structure is not None  # _find returns concepts only
    adopted = adoption(chosen, visible)
    pool = candidates(chosen, visible, adopted)
    massnahmen = [
        MassnahmeStand(
            nummer=m.nummer,
            titel=m.titel,
            handlungsfeld=feld.titel,
            vorlagen=[_fund(e) for e in measure_uptake(chosen, m, pool)],
        )
        for feld, m in structure.massnahmen()
    ]
    return KonzeptStand(
        id=chosen.id,
        label=konzept_label(structure.titel, structure.zeitraum, structure.kommune),
        titel=structure.titel,
        zeitraum=structure.zeitraum,
        kommune=structure.kommune,
        beschluss=_fund(adopted) if adopted else None,
        massnahmen=massnahmen,
        offen=[m.nummer for m in massnahmen if not m.vorlagen],
        handlungsfelder=[
            FeldStand(
                nummer=f.nummer, titel=f.titel, vorlagen=[_fund(e) for e in field_uptake(f, pool)]
            )
            for f in structure.handlungsfelder
        ],
        vorlagen_geprueft=len(pool.vorlagen),
    )


def _find(visible: list[Vorlage], konzept: str) -> Vorlage:
    concepts = [v for v in visible if v.kind == "konzept" and v.konzept is not None]
    exact = [v for v in concepts if v.id == konzept]
    if exact:
        return exact[0]
    wanted = squash(konzept)
    named = [v for v in concepts if wanted and wanted in squash(v.betreff or "")]
    if not named:
        raise UnknownKonzept()
    return min(named, key=lambda v: len(v.betreff or ""))  # the closest title


def _fund(evidence: Evidence) -> Fundstelle:
    vorlage = evidence.vorlage
    return Fundstelle(
        vorlage_id=vorlage.id,
        vorlagen_nr=vorlage.vorlagen_nr,
        betreff=vorlage.betreff,
        datum=vorlage.datum,
        regel=evidence.regel,
        passage=evidence.passage,
    )
