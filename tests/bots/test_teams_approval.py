"""The Mitzeichnung in Teams, end to end on the real app: JWTs signed by a local key and
checked against the local OpenID/JWKS endpoint, the local recording Bot Connector, the real
store and SQLite archive, the EchoChat model (the fixtures of ``tests/bots/test_teams_app.py``,
with an approver among the users)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.bots.teams_approval import NOTES_INPUT, VERB_APPROVE, VERB_RETURN
from assistant.ports_approval import Approval
from assistant.settings import Settings
from assistant.settings_bots import BotUserSettings
from tests.api.test_api_drafts import _draft
from tests.api.test_app import EchoChat, store_dir  # noqa: F401 (fixture)
from tests.bots import test_teams_app
from tests.bots.teams_servers import ConnectorCall, fake_connector, key_publisher
from tests.bots.test_teams_app import BOT, CLERK_AAD, DRAFT, Teams, _done, _teams

pytestmark = pytest.mark.slow  # the real store with the bundled embedder

BRUNO, BRUNO_AAD = "29:bruno-teams-id", "bbbbbbbb-0000-0000-0000-000000000001"
CARL, CARL_AAD = "29:carl-teams-id", "cccccccc-0000-0000-0000-000000000002"
FORGED = "Der Gemeinderat beschließt den Abriss des Rathauses."


@pytest.fixture(params=[False])
def teams(
    request: pytest.FixtureRequest,
    store_dir: Path,  # noqa: F811 (the fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Teams]:
    """The app with an approver; ``bots.teams.service_url`` set when the param is True."""
    original = test_teams_app._settings

    def with_approver(*args: Any, **kwargs: Any) -> Settings:
        settings = original(*args, **kwargs)
        users = [
            *settings.bots.users,
            BotUserSettings(platform="teams", user_id=BRUNO_AAD, name="bruno", approver=True),
            BotUserSettings(platform="teams", user_id=CARL_AAD, name="carl"),
        ]
        bots = settings.bots.model_copy(update={"users": users})
        return settings.model_copy(update={"bots": bots})

    monkeypatch.setattr(test_teams_app, "_settings", with_approver)
    with key_publisher() as keys, fake_connector() as connector:
        configured = {"service_url": connector.url} if request.param else {}
        yield from _teams(store_dir, tmp_path, keys, connector, EchoChat(), **configured)


def _say(teams: Teams, text: str, activity_id: str) -> list[ConnectorCall]:
    """Erika writes in her personal chat with the bot; the calls it caused."""
    before = len(teams.connector.calls)
    assert teams.post(teams.activity(text, aad=CLERK_AAD, activity_id=activity_id)).status_code
    teams.idle()
    return teams.connector.calls[before:]


def _press(teams: Teams, user: str, aad: str, verb: str, **data: Any) -> str:
    """A button of the card in the user's personal chat; the message Teams shows."""
    invoke = teams.activity("", user=user, aad=aad, activity_id=f"inv-{verb}-{len(data)}")
    invoke.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
    )
    answer = teams.post(invoke)
    assert answer.status_code == 200
    teams.idle()
    body = answer.json()
    assert body["type"] == "application/vnd.microsoft.activity.message"
    message: str = body["value"]
    return message


def _approvals(teams: Teams) -> Any:
    state = teams.client.app.state  # type: ignore[attr-defined]
    return state.approvals


def _stored(teams: Teams, approval_id: str) -> Approval:
    found: Approval | None = _approvals(teams).get(approval_id)
    assert found is not None
    return found


def _card_of(calls: list[ConnectorCall], teams: Teams) -> tuple[dict[str, Any], str]:
    """The approver's card among ``calls`` and the request id its buttons carry."""
    [card] = [c for c in teams.cards(calls) if any("verb" in a for a in c.get("actions", []))]
    buttons = {a["verb"]: a for a in card["actions"] if a.get("verb", "").startswith("mitz")}
    assert set(buttons) == {VERB_APPROVE, VERB_RETURN}
    approval_id: str = buttons[VERB_APPROVE]["data"]["mitzeichnung"]
    assert buttons[VERB_RETURN]["data"] == {"mitzeichnung": approval_id}
    return card, approval_id


def test_ask_return_and_approve_through_the_teams_bot(teams: Teams) -> None:
    teams.post(teams.activity(DRAFT, aad=CLERK_AAD))
    teams.connector.wait_for(_done, timeout_s=120)
    teams.idle()

    calls = _say(teams, "Mitzeichnung: bruno", "msg-2")
    opened = [c for c in calls if c.path == "/v3/conversations"]
    assert len(opened) == 1 and opened[0].body["members"] == [{"id": BRUNO_AAD}]
    card, approval_id = _card_of(calls, teams)
    shown = json.dumps(card, ensure_ascii=False)
    for part in ("Bitte um Mitzeichnung", "Erika Muster bittet um Mitzeichnung", "(Fassung 1)",
                 "Beschlussvorschlag", "Prüfung", "Quellen", "Input.Text", "Anmerkungen",
                 "Freigeben", "Zurückgeben"):  # fmt: skip
        assert part in shown, part
    assert "ist an bruno zur Mitzeichnung gesendet" in json.dumps(
        teams.cards(calls)[-1], ensure_ascii=False
    )
    again = teams.activity("Mitzeichnung: bruno", aad=CLERK_AAD, activity_id="msg-2")
    teams.post(again)  # the same delivery once more: answered once
    teams.idle()
    assert len([c for c in teams.connector.calls if c.path == "/v3/conversations"]) == 1

    # carl has no approver role; bruno must write notes to return it
    refused = _press(teams, CARL, CARL_AAD, VERB_APPROVE, mitzeichnung=approval_id)
    assert refused == "Sie sind nicht zur Mitzeichnung berechtigt."
    bare = _press(teams, BRUNO, BRUNO_AAD, VERB_RETURN, mitzeichnung=approval_id)
    assert "Anmerkungen" in bare and _stored(teams, approval_id).is_open
    before = len(teams.connector.calls)
    said = _press(
        teams,
        BRUNO,
        BRUNO_AAD,
        VERB_RETURN,
        mitzeichnung=approval_id,
        **{NOTES_INPUT: "Bitte <at>carl</at> fragen: https://x.example"},
    )
    assert said.startswith("Zurückgegeben von bruno am")
    returned = _stored(teams, approval_id)
    assert (returned.decision, returned.decided_by, returned.version) == (
        "zurueckgegeben",
        "bruno",
        1,
    )
    after = teams.connector.calls[before:]
    [update] = [c for c in after if c.method == "PUT"]
    decided = json.dumps(update.body, ensure_ascii=False)
    assert "Zurückgegeben von bruno am" in decided and VERB_APPROVE not in decided
    assert "<at>" not in decided and "https://x" not in decided  # neutralised
    [notice] = [c for c in after if c.method == "POST" and c.body.get("attachments")]
    assert "bruno hat „Fortschreibung" in json.dumps(notice.body, ensure_ascii=False)
    opened_for = [c.body["members"] for c in after if c.path == "/v3/conversations"]
    assert opened_for == [[{"id": CLERK_AAD}]]
    second = _press(teams, BRUNO, BRUNO_AAD, VERB_APPROVE, mitzeichnung=approval_id)
    assert "bereits entschieden" in second

    # asked again, then a new version: the older request cannot be decided any more
    _, stale_id = _card_of(_say(teams, "Mitzeichnung: bruno", "msg-3"), teams)
    _say(teams, "Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2", "msg-4")
    stale = _press(teams, BRUNO, BRUNO_AAD, VERB_APPROVE, mitzeichnung=stale_id)
    assert "jetzt Fassung 2, erbeten für Fassung 1" in stale
    # the newest version approved; text in the card's data changes nothing
    _, newest = _card_of(_say(teams, "Mitzeichnung: bruno", "msg-5"), teams)
    approved = _press(
        teams, BRUNO, BRUNO_AAD, VERB_APPROVE, mitzeichnung=newest, beschlussvorschlag=FORGED
    )
    assert approved.startswith("Freigegeben von bruno am")
    stored = _stored(teams, newest)
    assert (stored.decision, stored.version) == ("freigegeben", 2)
    archive = teams.client.app.state.archive  # type: ignore[attr-defined]
    versions = archive.versions(stored.draft_id, allow_nonpublic=True)
    assert len(versions) == 2 and all(FORGED not in v.draft.model_dump_json() for v in versions)
    actions = [(e.actor, e.action) for e in archive.audit_entries(limit=3)]
    assert actions == [
        ("bruno", "approve"),
        ("Erika Muster", "request_approval"),
        ("Erika Muster", "edit"),  # the refinement
    ]


def test_unknown_or_forged_buttons_and_asking_without_a_draft(teams: Teams) -> None:
    calls = _say(teams, "Mitzeichnung: bruno", "msg-9")
    assert "noch keinen Entwurf" in json.dumps(teams.cards(calls), ensure_ascii=False)
    assert _press(teams, BRUNO, BRUNO_AAD, VERB_APPROVE, mitzeichnung="x" * 500).startswith(
        "Diese Bitte um Mitzeichnung gibt es nicht"
    )
    assert _press(teams, BRUNO, BRUNO_AAD, VERB_APPROVE, mitzeichnung="0" * 32).startswith(
        "Diese Bitte um Mitzeichnung gibt es nicht"
    )


def _ask_over_http(teams: Teams, draft_id: str) -> tuple[str, list[ConnectorCall]]:
    """The local caller (no keys here, on loopback) asks bruno; the request's id and the calls
    to the Bot Connector it caused."""
    before = len(teams.connector.calls)
    asked = teams.client.post(f"/api/drafts/{draft_id}/mitzeichnung", json={"mitzeichner": "bruno"})
    assert asked.status_code == 201, asked.text
    approval_id: str = asked.json()["id"]
    return approval_id, teams.connector.calls[before:]


def test_a_request_made_over_http_reaches_teams_once_the_bot_knows_its_address(
    teams: Teams,
) -> None:
    draft_id = _draft(teams.client)
    # no activity yet and no bots.teams.service_url: stored, no card
    first, calls = _ask_over_http(teams, draft_id)
    assert calls == [] and _stored(teams, first).message_ref is None

    _say(teams, "hilfe", "msg-h")  # any activity names the Bot Connector's address
    again, calls = _ask_over_http(teams, draft_id)
    assert again == first  # the open request, not a second one
    opened = [c for c in calls if c.path == "/v3/conversations"]
    assert len(opened) == 1 and opened[0].body["members"] == [{"id": BRUNO_AAD}]
    card, approval_id = _card_of(calls, teams)
    assert approval_id == first and "bittet um Mitzeichnung" in json.dumps(card)
    assert (_stored(teams, first).message_ref or "").startswith("teams:")
    said = _press(teams, BRUNO, BRUNO_AAD, VERB_APPROVE, mitzeichnung=first)
    assert said.startswith("Freigegeben von bruno am")


@pytest.mark.parametrize("teams", [True], indirect=True)
def test_with_a_configured_address_the_card_goes_out_before_any_activity(teams: Teams) -> None:
    draft_id = _draft(teams.client)
    approval_id, calls = _ask_over_http(teams, draft_id)
    [opened] = [c for c in calls if c.path == "/v3/conversations"]
    assert opened.body["members"] == [{"id": BRUNO_AAD}] and opened.body["bot"]["id"] == BOT
    assert _card_of(calls, teams)[1] == approval_id
    sent = [c for c in calls if c.body.get("attachments")]
    assert sent and all(c.body["from"]["id"] == BOT for c in sent)
