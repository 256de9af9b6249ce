"""Follow-up refinements: read by rules, applied to the latest version (fast, fakes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from assistant.draft_case import NO_FINANCIAL_IMPACT
from assistant.draft_events import DraftDone, DraftEvent, Section
from assistant.draft_jobs import DraftJobs
from assistant.schema import Draft, ValidationReport
from assistant.usecases.chat_refine import Refinement, read_refinement
from assistant.usecases.refine import (
    NothingToRefine,
    plainer,
    start_refine,
    with_fact,
    with_finance,
)
from tests.assistant.test_draft_jobs import Streamer
from tests.assistant.test_draft_rewrite import Archive
from tests.assistant.test_drafting import GOOD, PRECEDENT, ScriptedChat, _request, _service


@pytest.mark.parametrize(
    ("message", "kind", "text"),
    [
        (
            "Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2",
            "finanzierung",
            "20.000 EUR aus Produkt 3.1.2",
        ),
        ("bitte Finanzen ergänzen – 5.000 Euro", "finanzierung", "5.000 Euro"),
        ("Fakt ergänzen: Der Beirat hat  zugestimmt.", "fakt", "Der Beirat hat zugestimmt."),
        ("Fakten hinzufügen: Baubeginn 2027", "fakt", "Baubeginn 2027"),
        ("kürzer", "kuerzer", ""),
        ("Bitte etwas kürzer fassen.", "kuerzer", ""),
        ("sachlicher", "sachlicher", ""),
        ("Finanzierung ergänzen", "finanzierung", ""),
    ],
)
def test_refinements_are_read_by_rules(message: str, kind: str, text: str) -> None:
    assert read_refinement(message) == Refinement.model_validate({"kind": kind, "text": text})


@pytest.mark.parametrize(
    "message", ["Entwurf: Neubau Kita", "Suche: Kita", "Hilfe", "kürzer als die alte Vorlage?"]
)
def test_other_messages_are_no_refinement(message: str) -> None:
    assert read_refinement(message) is None


def test_what_can_be_applied() -> None:
    assert Refinement(kind="kuerzer").usable
    assert Refinement(kind="fakt", text="x").usable
    assert not Refinement(kind="fakt").usable
    assert Refinement(kind="sachlicher").usable


def _draft(**request: str) -> Draft:
    return _service(ScriptedChat(list(GOOD))).draft(_request(**request))


def test_finance_is_appended_to_the_request_and_the_draft_checked() -> None:
    base = _draft()
    refined = with_finance(base, "20.000 EUR aus Produkt 3.1.2")
    assert refined.request.finanzielle_auswirkungen == (
        "12.000 Euro im Haushalt 2026.\n20.000 EUR aus Produkt 3.1.2"
    )
    assert refined.finanzielle_auswirkungen == refined.request.finanzielle_auswirkungen
    assert refined.sachdarstellung == base.sachdarstellung
    assert refined.validation is not None
    assert "grounded" not in {f.rule for f in refined.validation.errors}


def test_finance_replaces_keine_and_keeps_a_clerks_own_text() -> None:
    none = _draft(finanzielle_auswirkungen="keine")
    assert none.finanzielle_auswirkungen == NO_FINANCIAL_IMPACT
    assert with_finance(none, "5.000 Euro").finanzielle_auswirkungen == "keine\n5.000 Euro"
    edited = _draft().model_copy(update={"finanzielle_auswirkungen": "Eigener Text."})
    assert with_finance(edited, "5.000 Euro").finanzielle_auswirkungen == (
        "Eigener Text.\n5.000 Euro"
    )


def test_the_limits_hold_for_a_refined_request() -> None:
    with pytest.raises(ValidationError):
        with_fact(_draft(), "x" * 20_001)


def test_a_fact_is_one_more_line() -> None:
    refined = with_fact(_draft(), "Der Beirat hat zugestimmt.")
    assert refined.request.fakten.endswith("\n- Der Beirat hat zugestimmt.")


def test_kuerzer_leaves_out_the_precedents_paragraph() -> None:
    base = _draft()
    assert PRECEDENT in base.sachdarstellung

    async def run() -> Draft:
        events = _service(ScriptedChat(list(GOOD[:3]))).rewrite(
            base, "sachdarstellung", precedents=False
        )
        return [e async for e in events][-1].draft  # type: ignore[union-attr]

    shorter = asyncio.run(run())
    assert PRECEDENT not in shorter.sachdarstellung
    assert len(shorter.sachdarstellung) < len(base.sachdarstellung)
    assert shorter.beschlussvorschlag == base.beschlussvorschlag


class Writer(Streamer):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[Draft, Section, bool]] = []

    async def rewrite(
        self, base: Draft, section: Section, *, tokens: bool = True, precedents: bool = True
    ) -> AsyncIterator[DraftEvent]:
        self.asked.append((base, section, precedents))
        yield DraftDone(draft=base.model_copy(update={"validation": ValidationReport()}))


def _refine(refinement: Refinement) -> tuple[Archive, Writer, list[str]]:
    base = _draft()
    archive, writer = Archive(base), Writer()

    async def run() -> list[str]:
        jobs = DraftJobs(writer, archive)  # type: ignore[arg-type]
        job = await start_refine(
            jobs, archive, writer, "d1", refinement, actor="bob", allow_nonpublic=False
        )
        return [event.type async for event in job.follow()]

    return archive, writer, asyncio.run(run())


def test_a_finance_refinement_asks_no_model_and_becomes_a_refined_version() -> None:
    archive, writer, kinds = _refine(Refinement(kind="finanzierung", text="5.000 Euro"))
    assert kinds == ["queued", "retrieval", "section_done", "section_done", "validation", "done"]
    assert writer.asked == []
    assert archive.calls == [("add_version", "d1", "bob", "refined")]
    assert archive.audits == [("bob", "edit", ("d1",))]


def test_fact_and_kuerzer_write_the_sachdarstellung_again() -> None:
    archive, writer, kinds = _refine(Refinement(kind="fakt", text="Baubeginn 2027"))
    assert kinds[-1] == "done" and archive.calls == [("add_version", "d1", "bob", "refined")]
    ((base, section, precedents),) = writer.asked
    assert section == "sachdarstellung" and precedents
    assert base.request.fakten.endswith("- Baubeginn 2027")
    _, writer, _ = _refine(Refinement(kind="kuerzer"))
    assert [(s, p) for _, s, p in writer.asked] == [("sachdarstellung", False)]


def _refine_of(base: Draft, refinement: Refinement) -> tuple[Archive, Writer, list[str]]:
    archive, writer = Archive(base), Writer()

    async def run() -> list[str]:
        jobs = DraftJobs(writer, archive)  # type: ignore[arg-type]
        job = await start_refine(
            jobs, archive, writer, "d1", refinement, actor="bob", allow_nonpublic=False
        )
        return [event.type async for event in job.follow()]

    return archive, writer, asyncio.run(run())


def test_sachlicher_takes_judging_words_out_by_rules() -> None:
    base = _draft()
    judging = base.model_copy(
        update={
            "sachdarstellung": "Die Sanierung ist leider sehr dringend!\n" + base.sachdarstellung
        }
    )
    archive, writer, kinds = _refine_of(judging, Refinement(kind="sachlicher"))
    assert kinds == ["queued", "retrieval", "section_done", "section_done", "validation", "done"]
    assert writer.asked == []  # no model
    assert archive.calls == [("add_version", "d1", "bob", "refined")]
    plain = plainer(judging)
    assert plain.sachdarstellung.startswith("Die Sanierung ist dringend.\n")
    assert plain.sachdarstellung.endswith(base.sachdarstellung)
    assert plain.beschlussvorschlag == base.beschlussvorschlag
    assert plain.validation is not None


def test_sachlicher_on_a_plain_draft_makes_no_version() -> None:
    base = _draft()
    plain = base.model_copy(update={"sachdarstellung": "Der Rat hat 2024 beraten [1]."})
    with pytest.raises(NothingToRefine, match="keine wertenden"):
        _refine_of(plain, Refinement(kind="sachlicher"))
