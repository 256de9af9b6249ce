"""The Mitzeichnung's rules (``assistant.usecases.approval``) over the real draft database, on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from assistant.schema import Citation, Draft, DraftRequest, Finding, ValidationReport
from assistant.usecases.approval import (
    MAX_NOTES,
    ApprovalConflict,
    MissingApproval,
    NotApprover,
    Person,
    approval_case,
    decide_approval,
    draft_approvals,
    open_approvals,
    read_approval_command,
    request_approval,
)
from assistant.usecases.errors import InvalidRequest
from assistant.usecases.rewrite import MissingDraft
from storage import SqlApprovalArchive, SqlDraftArchive
from tests.storage.conftest import (  # noqa: F401 (fixtures: SQLite and a PostgreSQL schema)
    archive,
    database_url,
    postgres_schema_url,
    postgres_server,
)

T = TypeVar("T")
REQUEST = DraftRequest(betreff="Sanierung der Grundschule Nord", gremium="Gemeinderat")
ALICE = Person("alice")
BRUNO = Person("bruno", may_approve=True)
CARLA = Person("carla", may_see_nonpublic=True, may_approve=True)
APPROVERS = {"bruno": False, "carla": True}


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _draft(text: str, *cited: str) -> Draft:
    return Draft(
        request=REQUEST,
        beschlussvorschlag=text,
        citations=[
            Citation(n=n, vorlage_id=vid, section="sachdarstellung", passage="Wortlaut.")
            for n, vid in enumerate(cited, 1)
        ],
        validation=ValidationReport.from_findings(
            [Finding(rule="style", severity="warning", message="Satz sehr lang")]
        ),
    )


def _stored(db: SqlDraftArchive, *texts: str, public: bool = True) -> str:
    draft_id = db.create(REQUEST, "alice")
    for text in texts:
        draft = _draft(text, "v1")
        db.add_version(draft_id, draft, "alice", "generated", public_ids={"v1"} if public else ())
    db.set_status(draft_id, "done")
    return draft_id


@pytest.fixture
def approvals(archive: SqlDraftArchive) -> SqlApprovalArchive:  # noqa: F811
    return SqlApprovalArchive(archive.engine)


def _ask(
    db: SqlDraftArchive, approvals: SqlApprovalArchive, draft_id: str, approver: str = "bruno"
) -> str:
    case = run(request_approval(db, approvals, APPROVERS, draft_id, approver, requester=ALICE))
    return case.approval.id


def test_approve_the_stored_version_audited(
    archive: SqlDraftArchive,  # noqa: F811
    approvals: SqlApprovalArchive,
) -> None:
    draft_id = _stored(archive, "Erste Fassung.", "Der Rat beschließt die Sanierung.")
    case = run(request_approval(archive, approvals, APPROVERS, draft_id, "bruno", requester=ALICE))
    assert case.approval.version == 2 and case.is_current
    assert case.draft.beschlussvorschlag == "Der Rat beschließt die Sanierung."
    assert case.betreff == REQUEST.betreff
    waiting = run(open_approvals(archive, approvals, approver=BRUNO))
    assert [c.approval.id for c in waiting] == [case.approval.id]
    assert waiting[0].draft.validation is not None and waiting[0].draft.validation.warnings
    decided = run(
        decide_approval(archive, approvals, case.approval.id, "freigegeben", "  ", decider=BRUNO)
    )
    assert (decided.decision, decided.decided_by, decided.notes, decided.version) == (
        "freigegeben",
        "bruno",
        None,
        2,
    )
    assert run(open_approvals(archive, approvals, approver=BRUNO)) == []
    assert run(draft_approvals(archive, approvals, draft_id, viewer=ALICE)) == [decided]
    entries = [(e.actor, e.action, e.object_ids) for e in archive.audit_entries()]
    assert entries[:2] == [
        ("bruno", "approve", [draft_id, decided.id]),
        ("alice", "request_approval", [draft_id, decided.id]),
    ]


def test_return_needs_notes_and_stores_them(
    archive: SqlDraftArchive,  # noqa: F811
    approvals: SqlApprovalArchive,
) -> None:
    approval_id = _ask(archive, approvals, _stored(archive, "Text."))
    with pytest.raises(InvalidRequest, match="Anmerkungen"):
        run(decide_approval(archive, approvals, approval_id, "zurueckgegeben", "", decider=BRUNO))
    with pytest.raises(InvalidRequest, match="zu lang"):
        run(
            decide_approval(
                archive, approvals, approval_id, "freigegeben", "x" * (MAX_NOTES + 1), decider=BRUNO
            )
        )
    returned = run(
        decide_approval(
            archive,
            approvals,
            approval_id,
            "zurueckgegeben",
            " Bitte die Kosten belegen. ",
            decider=BRUNO,
        )
    )
    assert (returned.decision, returned.notes) == ("zurueckgegeben", "Bitte die Kosten belegen.")
    assert archive.audit_entries()[0].action == "return"


def test_only_the_addressed_approver_decides(
    archive: SqlDraftArchive,  # noqa: F811
    approvals: SqlApprovalArchive,
) -> None:
    approval_id = _ask(archive, approvals, _stored(archive, "Text."))
    for person in (Person("bruno"), ALICE):  # bruno without the role, alice the requester
        with pytest.raises(NotApprover, match="nicht zur Mitzeichnung berechtigt"):
            run(
                decide_approval(
                    archive, approvals, approval_id, "freigegeben", None, decider=person
                )
            )
    with pytest.raises(NotApprover, match="richtet sich an bruno"):
        run(decide_approval(archive, approvals, approval_id, "freigegeben", None, decider=CARLA))
    with pytest.raises(MissingApproval):
        run(decide_approval(archive, approvals, "0" * 32, "freigegeben", None, decider=BRUNO))
    assert run(open_approvals(archive, approvals, approver=Person("bruno"))) == []
    stored = approvals.get(approval_id)
    assert stored is not None and stored.is_open


def test_a_second_decision_and_a_stale_version_are_refused_in_german(
    archive: SqlDraftArchive,  # noqa: F811
    approvals: SqlApprovalArchive,
) -> None:
    draft_id = _stored(archive, "Text.")
    first = _ask(archive, approvals, draft_id)
    run(decide_approval(archive, approvals, first, "freigegeben", None, decider=BRUNO))
    with pytest.raises(ApprovalConflict, match="bereits entschieden: freigegeben von bruno am"):
        run(decide_approval(archive, approvals, first, "zurueckgegeben", "Nein.", decider=BRUNO))
    second = _ask(archive, approvals, draft_id, approver="carla")
    archive.add_version(draft_id, _draft("Geändert.", "v1"), "alice", "edited", public_ids={"v1"})
    case = run(approval_case(archive, approvals, second, viewer=CARLA))
    assert not case.is_current and case.current_version == 2
    assert case.draft.beschlussvorschlag == "Text."  # the version asked about, not the newest
    with pytest.raises(ApprovalConflict, match=r"jetzt Fassung 2, erbeten für Fassung 1"):
        run(decide_approval(archive, approvals, second, "freigegeben", None, decider=CARLA))
    stored = approvals.get(second)
    assert stored is not None and stored.is_open


def test_what_cannot_be_sent(
    archive: SqlDraftArchive,  # noqa: F811
    approvals: SqlApprovalArchive,
) -> None:
    draft_id = _stored(archive, "Text.")

    def ask(approver: str, **options: Any) -> object:
        return run(
            request_approval(
                archive, approvals, APPROVERS, draft_id, approver, **{"requester": ALICE, **options}
            )
        )

    with pytest.raises(InvalidRequest, match="„dora“ ist nicht als mitzeichnende Person"):
        ask("dora")
    with pytest.raises(InvalidRequest, match="eigenen Entwurf"):
        ask("bruno", requester=Person("bruno", may_approve=True))
    with pytest.raises(ApprovalConflict, match=r"neuere Fassung \(1\) als die angezeigte \(3\)"):
        ask("bruno", seen_version=3)
    with pytest.raises(MissingDraft):
        run(request_approval(archive, approvals, APPROVERS, "0" * 32, "bruno", requester=ALICE))
    running = archive.create(REQUEST, "alice")
    archive.set_status(running, "running")
    with pytest.raises(MissingDraft):  # nothing stored yet
        run(request_approval(archive, approvals, APPROVERS, running, "bruno", requester=ALICE))
    archive.add_version(running, _draft("Halb.", "v1"), "alice", "generated", public_ids={"v1"})
    with pytest.raises(ApprovalConflict, match="gerade geschrieben"):
        run(request_approval(archive, approvals, APPROVERS, running, "bruno", requester=ALICE))
    assert approvals.of_draft(draft_id) == [] and approvals.of_draft(running) == []
    # asking twice for the same version: one request
    assert ask("bruno", seen_version=1) == ask("bruno")


def test_a_nonpublic_draft_goes_only_to_who_may_see_it(
    archive: SqlDraftArchive,  # noqa: F811
    approvals: SqlApprovalArchive,
) -> None:
    secret = _stored(archive, "Vertraulich.", public=False)
    clerk = Person("alice", may_see_nonpublic=True)
    with pytest.raises(MissingDraft):  # the requester must see it
        run(request_approval(archive, approvals, APPROVERS, secret, "carla", requester=ALICE))
    with pytest.raises(InvalidRequest, match="„bruno“ darf nichtöffentliche Vorlagen nicht"):
        run(request_approval(archive, approvals, APPROVERS, secret, "bruno", requester=clerk))
    case = run(request_approval(archive, approvals, APPROVERS, secret, "carla", requester=clerk))
    # carla without her right now (e.g. in a channel): the request does not exist for her
    blind = Person("carla", may_approve=True)
    assert run(open_approvals(archive, approvals, approver=blind)) == []
    with pytest.raises(MissingApproval):
        run(approval_case(archive, approvals, case.approval.id, viewer=blind))
    with pytest.raises(MissingApproval):
        run(
            decide_approval(
                archive, approvals, case.approval.id, "freigegeben", None, decider=blind
            )
        )
    with pytest.raises(MissingDraft):
        run(draft_approvals(archive, approvals, secret, viewer=ALICE))
    decided = run(
        decide_approval(archive, approvals, case.approval.id, "freigegeben", None, decider=CARLA)
    )
    assert decided.decided_by == "carla"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mitzeichnung: bruno", "bruno"),
        ("mitzeichnen an Jörg Müller", "Jörg Müller"),
        ("zur Mitzeichnung an bruno.", "bruno"),
        ("Mitzeichnung", ""),
        ("Mitzeichnungen sind wichtig", None),
        ("Entwurf: Mitzeichnung der Satzung", None),
    ],
)
def test_the_chat_command(text: str, name: str | None) -> None:
    assert read_approval_command(text) == name
