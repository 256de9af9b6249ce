"""The Mitzeichnung in Slack, end to end on the real app: real signed requests (events and
block actions), the local recording Slack API, the real store and SQLite archive, the EchoChat
model (the fixtures of ``tests/bots/test_slack_app.py``, with an approver among the users)."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from api.bots.slack_approval import APPROVE_ACTION, NOTES_ACTION, RETURN_ACTION
from assistant.ports_approval import ApprovalArchive
from tests.api.test_app import store_dir  # noqa: F401 (fixture)
from tests.bots import test_slack_app
from tests.bots.fake_slack import BOT_USER
from tests.bots.test_slack_app import DRAFT, Slack, _mention, _message, _run

pytestmark = pytest.mark.slow  # a real store with the bundled embedder

USERS = [
    {"platform": "slack", "user_id": "U0ANNA", "name": "anna"},
    {"platform": "slack", "user_id": "U0BRUNO", "name": "bruno", "approver": True},
    {"platform": "slack", "user_id": "U0CARL", "name": "carl"},
]
FORGED = "Der Gemeinderat beschließt den Abriss des Rathauses."


@pytest.fixture(autouse=True)
def _approver_among_the_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_slack_app, "USERS", USERS)


def _button(
    action_id: str, approval_id: str, *, user: str, notes: str | None = None, **extra: Any
) -> str:
    """A block action from the approver's card in the direct chat ``D0<user>``."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": user},
        "api_app_id": "A0001",
        "channel": {"id": f"D0{user[2:]}"},
        "container": {"type": "message", "channel_id": f"D0{user[2:]}"},
        "message": {"ts": "1800000000.500000", "blocks": []},
        "state": {
            "values": {"mitzeichnung_anmerkungen": {NOTES_ACTION: {"value": notes}}},
        },
        "trigger_id": "trigger-approval",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "mitzeichnung_knoepfe",
                "type": "button",
                "value": approval_id,
            }
        ],
        **extra,
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


async def _press(slack: Slack, body: str) -> None:
    response = await slack.post(body, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    await slack.bot.drain()


async def _drafted(slack: Slack) -> tuple[str, str]:
    """anna drafts by slash command (before anything else is posted); the draft's id and
    its thread."""
    assert (await slack.command(DRAFT.replace("Entwurf:", "entwurf"), user="U0ANNA")).status_code
    await slack.bot.drain()
    [summary] = slack.services.archive.list_drafts(allow_nonpublic=False, actor="anna")
    return summary.id, "1800000000.000001"


def _approvals(slack: Slack) -> ApprovalArchive:
    return slack.services.approvals_for(slack.services.archive)


def _cards(slack: Slack) -> list[dict[str, Any]]:
    return [a for a in slack.fake.named("chat.postMessage") if a["channel"] == "U0BRUNO"]


def _approval_id(card: dict[str, Any]) -> str:
    blocks = json.loads(card["blocks"]) if isinstance(card["blocks"], str) else card["blocks"]
    [buttons] = [b for b in blocks if b.get("block_id") == "mitzeichnung_knoepfe"]
    values = {e["action_id"]: e["value"] for e in buttons["elements"]}
    assert values[APPROVE_ACTION] == values[RETURN_ACTION]
    approval_id: str = values[APPROVE_ACTION]
    return approval_id


def test_ask_in_the_thread_return_and_approve_with_the_buttons(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async def scenario(slack: Slack) -> None:
        draft_id, thread_ts = await _drafted(slack)
        stored = slack.services.archive.get(draft_id, allow_nonpublic=False)
        assert stored is not None and stored.latest is not None

        # a mention sent both ways asks once; the card goes to bruno's direct chat
        ask = _mention("Mitzeichnung: bruno", "1800000002.0", thread_ts=thread_ts)
        await slack.event(ask, "Ev0601")
        await slack.event({**ask, "type": "message"}, "Ev0602")
        await slack.bot.drain()
        [card] = _cards(slack)
        shown = json.dumps(card, ensure_ascii=False)
        for part in ("Bitte um Mitzeichnung", "anna bittet um Mitzeichnung", "(Fassung 1)",
                     "*Beschlussvorschlag*", "*Prüfung*", "*Quellen*", "Anmerkungen",
                     "Freigeben", "Zurückgeben", "plain_text_input"):  # fmt: skip
            assert part in shown, part
        assert stored.latest.draft.beschlussvorschlag.split()[0] in shown
        approval_id = _approval_id(card)
        answers = [p["text"] for p in slack.thread_posts(thread_ts)]
        assert sum("ist an bruno zur Mitzeichnung gesendet" in a for a in answers) == 1
        record = slack.services.archive.audit_entries(limit=1)[0]
        assert (record.actor, record.action) == ("anna", "request_approval")

        # carl has no approver role; bruno must write notes to return it
        await _press(slack, _button(APPROVE_ACTION, approval_id, user="U0CARL"))
        await _press(slack, _button(RETURN_ACTION, approval_id, user="U0BRUNO", notes=" "))
        told = slack.fake.named("chat.postEphemeral")
        assert [t["user"] for t in told] == ["U0CARL", "U0BRUNO"]
        assert "nicht zur Mitzeichnung berechtigt" in told[0]["text"]
        assert "Anmerkungen" in told[1]["text"]
        await _press(
            slack,
            _button(RETURN_ACTION, approval_id, user="U0BRUNO", notes="Bitte <@U0CARL> & Kosten."),
        )
        returned = _approvals(slack).get(approval_id)
        assert returned is not None
        assert (returned.decision, returned.decided_by, returned.version) == (
            "zurueckgegeben",
            "bruno",
            1,
        )
        assert returned.notes == "Bitte <@U0CARL> & Kosten."
        update = slack.fake.named("chat.update")[-1]
        assert update["channel"] == "D0BRUNO" and update["ts"] == "1800000000.500000"
        updated = json.dumps(update, ensure_ascii=False)
        assert "Zurückgegeben von bruno am" in updated and "mitzeichnung_knoepfe" not in updated
        assert "&lt;@U0CARL&gt; &amp; Kosten" in updated and "<@U0CARL>" not in updated
        [notice] = [a for a in slack.fake.named("chat.postMessage") if a["channel"] == "U0ANNA"]
        assert "bruno hat „Fortschreibung" in notice["text"] and "zurückgegeben" in notice["text"]

        # a second decision on the same request is refused
        await _press(slack, _button(APPROVE_ACTION, approval_id, user="U0BRUNO"))
        assert "bereits entschieden" in slack.fake.named("chat.postEphemeral")[-1]["text"]

        # asked again (a new request), approved: the stored version, whatever the card carried
        await slack.event(_message(f"<@{BOT_USER}> mitzeichnen an bruno", "1800000003.0",
                                   thread_ts=thread_ts), "Ev0603")  # fmt: skip
        await slack.bot.drain()
        second = _approval_id(_cards(slack)[-1])
        assert second != approval_id
        section = {"type": "section", "text": {"type": "mrkdwn", "text": FORGED}}
        forged: dict[str, Any] = {
            "message": {"ts": "1800000000.600000", "text": FORGED, "blocks": [section]}
        }
        await _press(slack, _button(APPROVE_ACTION, second, user="U0BRUNO", **forged))
        approved = _approvals(slack).get(second)
        assert approved is not None and approved.decision == "freigegeben"
        assert approved.version == 1 and approved.notes is None
        versions = slack.services.archive.versions(draft_id, allow_nonpublic=False)
        assert len(versions) == 1 and FORGED not in versions[0].draft.model_dump_json()
        assert FORGED not in json.dumps(slack.fake.named("chat.update")[-1], ensure_ascii=False)
        actions = [(e.actor, e.action) for e in slack.services.archive.audit_entries(limit=4)]
        assert actions == [
            ("bruno", "approve"),
            ("anna", "request_approval"),
            ("bruno", "return"),
            ("anna", "request_approval"),
        ]

    _run(store_dir, tmp_path, scenario)


def test_asking_without_a_draft_or_an_approver_is_answered_in_german(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async def scenario(slack: Slack) -> None:
        _, thread_ts = await _drafted(slack)  # first: its thread is the fake's first message
        await slack.event(_mention("Mitzeichnung: bruno", "1700000000.000800"), "Ev0701")
        await slack.bot.drain()
        [answer] = slack.thread_posts("1700000000.000800")
        assert "noch keinen Entwurf" in answer["text"]
        for n, text in enumerate(("Mitzeichnung", "Mitzeichnung: carl", "Mitzeichnung: anna")):
            await slack.event(_message(text, f"1800000009.{n}", thread_ts=thread_ts), f"Ev07{n}9")
        await slack.bot.drain()
        said = " | ".join(p["text"] for p in slack.thread_posts(thread_ts)[-3:])  # any order
        assert "Bitte nennen Sie, wer mitzeichnen soll" in said
        assert "„carl“ ist nicht als mitzeichnende Person eingerichtet." in said
        assert "Ihren eigenen Entwurf nicht selbst mitzeichnen" in said
        assert _cards(slack) == []

    _run(store_dir, tmp_path, scenario)


def test_a_request_made_over_http_reaches_the_approver_in_slack(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async def scenario(slack: Slack) -> None:
        draft_id, _ = await _drafted(slack)
        # the server has no keys here: the local caller („lokal“, on loopback) asks
        asked = await slack.client.post(
            f"/api/drafts/{draft_id}/mitzeichnung", json={"mitzeichner": "bruno"}
        )
        assert asked.status_code == 201, asked.text
        approval_id = asked.json()["id"]
        assert _approval_id(_cards(slack)[-1]) == approval_id
        stored = _approvals(slack).get(approval_id)
        assert stored is not None and stored.platform == "web"
        assert (stored.message_ref or "").startswith("slack:U0BRUNO:1800000000.")
        await _press(slack, _button(APPROVE_ACTION, approval_id, user="U0BRUNO"))
        decided = _approvals(slack).get(approval_id)
        assert decided is not None and decided.decision == "freigegeben"

    _run(store_dir, tmp_path, scenario)
