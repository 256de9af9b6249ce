"""The ``ApprovalArchive`` contract (assistant/ports_approval.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from assistant.ports_approval import Approval, ApprovalArchive, DecisionConflict
from assistant.schema import Draft, DraftRequest, ValidationReport
from storage import SqlApprovalArchive, SqlDraftArchive, open_archive
from storage.approvals import MESSAGE_REF_LENGTH

REQUEST = DraftRequest(betreff="Sanierung der Grundschule Nord", gremium="Gemeinderat")


def _version(archive: SqlDraftArchive, draft_id: str, text: str = "Der Rat beschließt.") -> int:
    draft = Draft(request=REQUEST, beschlussvorschlag=text, validation=ValidationReport())
    return archive.add_version(draft_id, draft, "alice", "generated")


@pytest.fixture
def approvals(archive: SqlDraftArchive) -> SqlApprovalArchive:
    return SqlApprovalArchive(archive.engine)


@pytest.fixture
def draft_id(archive: SqlDraftArchive) -> str:
    draft_id = archive.create(REQUEST, "alice")
    _version(archive, draft_id)
    return draft_id


def _ask(approvals: SqlApprovalArchive, draft_id: str, approver: str = "bruno") -> Approval:
    return approvals.request(draft_id, 1, requested_by="alice", approver=approver, platform="web")


def test_is_an_approval_archive(approvals: SqlApprovalArchive) -> None:
    assert isinstance(approvals, ApprovalArchive)
    assert "password" not in repr(approvals)


def test_a_request_is_stored_open_for_its_version(
    approvals: SqlApprovalArchive, draft_id: str
) -> None:
    before = datetime.now(UTC)
    asked = approvals.request(
        draft_id, 1, requested_by="alice", approver="bruno", platform="slack", message_ref="D1:1.2"
    )
    assert len(asked.id) == 32 and asked.is_open
    assert (asked.draft_id, asked.version, asked.requested_by, asked.approver) == (
        draft_id,
        1,
        "alice",
        "bruno",
    )
    assert before <= asked.requested_at <= datetime.now(UTC)
    assert approvals.get(asked.id) == asked
    assert approvals.get("0" * 32) is None
    # the same approver and version: the open request again, not a second one
    assert _ask(approvals, draft_id).id == asked.id
    other = _ask(approvals, draft_id, approver="carla")
    assert other.id != asked.id
    assert [a.id for a in approvals.of_draft(draft_id)] == [asked.id, other.id]
    assert [a.id for a in approvals.open_for("bruno")] == [asked.id]
    assert approvals.open_for("niemand") == []


def test_a_request_needs_a_stored_version(approvals: SqlApprovalArchive, draft_id: str) -> None:
    with pytest.raises(KeyError):
        approvals.request(draft_id, 2, requested_by="alice", approver="bruno", platform="web")
    with pytest.raises(KeyError):
        approvals.request("0" * 32, 1, requested_by="alice", approver="bruno", platform="web")


@pytest.mark.parametrize(
    "values",
    [
        {"approver": ""},
        {"approver": "x" * 201},
        {"requested_by": " "},
        {"platform": "mail"},
        {"message_ref": "r" * (MESSAGE_REF_LENGTH + 1)},
    ],
)
def test_invalid_requests_are_value_errors(
    approvals: SqlApprovalArchive, draft_id: str, values: dict[str, str]
) -> None:
    arguments: dict[str, str] = {
        "requested_by": "alice",
        "approver": "bruno",
        "platform": "web",
        **values,
    }
    with pytest.raises(ValueError):
        approvals.request(draft_id, 1, **arguments)  # type: ignore[arg-type]


def test_a_decision_is_stored_with_who_when_and_notes(
    approvals: SqlApprovalArchive, draft_id: str
) -> None:
    asked = _ask(approvals, draft_id)
    before = datetime.now(UTC)
    decided = approvals.decide(asked.id, "zurueckgegeben", actor="bruno", notes="Ziffer 2 fehlt.")
    assert (decided.decision, decided.decided_by, decided.notes) == (
        "zurueckgegeben",
        "bruno",
        "Ziffer 2 fehlt.",
    )
    assert decided.decided_at is not None and before <= decided.decided_at <= datetime.now(UTC)
    assert decided.version == 1 and not decided.is_open
    assert approvals.get(asked.id) == decided
    assert approvals.open_for("bruno") == []


def test_a_second_decision_is_refused_and_changes_nothing(
    approvals: SqlApprovalArchive, draft_id: str
) -> None:
    asked = _ask(approvals, draft_id)
    first = approvals.decide(asked.id, "freigegeben", actor="bruno", notes=None)
    with pytest.raises(DecisionConflict) as caught:
        approvals.decide(asked.id, "zurueckgegeben", actor="bruno", notes="doch nicht")
    assert caught.value.decided and caught.value.approval == first
    assert approvals.get(asked.id) == first


def test_a_decision_on_an_older_version_is_refused(
    archive: SqlDraftArchive, approvals: SqlApprovalArchive, draft_id: str
) -> None:
    asked = _ask(approvals, draft_id)
    assert _version(archive, draft_id, "Der Rat beschließt anders.") == 2
    with pytest.raises(DecisionConflict) as caught:
        approvals.decide(asked.id, "freigegeben", actor="bruno", notes=None)
    assert not caught.value.decided and caught.value.current_version == 2
    assert approvals.get(asked.id) == asked  # still open, untouched


def test_unknown_ids_and_bad_decisions(approvals: SqlApprovalArchive, draft_id: str) -> None:
    with pytest.raises(KeyError):
        approvals.decide("0" * 32, "freigegeben", actor="bruno", notes=None)
    with pytest.raises(KeyError):
        approvals.set_message_ref("0" * 32, "C1:1.0")
    asked = _ask(approvals, draft_id)
    with pytest.raises(ValueError):
        approvals.decide(asked.id, "ok", actor="bruno", notes=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        approvals.decide(asked.id, "freigegeben", actor="", notes=None)
    with pytest.raises(ValueError):
        approvals.open_for("bruno", limit=0)


def test_a_bot_records_where_it_showed_the_request(
    approvals: SqlApprovalArchive, draft_id: str
) -> None:
    asked = _ask(approvals, draft_id)
    approvals.set_message_ref(asked.id, "D0123:1700000000.000100")
    stored = approvals.get(asked.id)
    assert stored is not None and stored.message_ref == "D0123:1700000000.000100"


def test_concurrent_decisions_store_exactly_one(
    database_url: str, archive: SqlDraftArchive, draft_id: str
) -> None:
    """Four app instances (own engines) decide one request at once."""
    asked = _ask(SqlApprovalArchive(archive.engine), draft_id)
    instances = [open_archive(database_url) for _ in range(4)]
    start = threading.Barrier(len(instances))
    stored: list[Approval] = []
    refused: list[DecisionConflict] = []

    def decide(instance: SqlDraftArchive, decision: str) -> None:
        start.wait()
        try:
            stored.append(
                SqlApprovalArchive(instance.engine).decide(
                    asked.id,
                    decision,  # type: ignore[arg-type]
                    actor="bruno",
                    notes=decision,
                )
            )
        except DecisionConflict as err:
            refused.append(err)

    threads = [
        threading.Thread(target=decide, args=(instance, decision))
        for instance, decision in zip(instances, ["freigegeben", "zurueckgegeben"] * 2, strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for instance in instances:
            instance.close()
    assert len(stored) == 1 and len(refused) == 3
    assert all(err.approval == stored[0] for err in refused)
    final = SqlApprovalArchive(archive.engine).get(asked.id)
    assert final is not None and final == stored[0] and final.notes == final.decision
