"""The Slack bot on the real app: real signed requests (the v0 HMAC computed with a test
signing secret) through httpx's ASGI transport, the Slack Web API answered and recorded by a
local server (slack_sdk's ``base_url``), the real store of tests/api/test_app.py (Chroma and
BM25 with the bundled embedder, a canary nichtöffentliche Vorlage), the SQLite draft archive
and the scripted EchoChat model."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.bots.slack_app import EVENTS_PATH, SlackBot
from api.container import Services, build_services
from assistant.ports import LLMError
from assistant.settings import Settings
from tests.api.test_app import CANARY, EchoChat, store_dir  # noqa: F401 (fixture)
from tests.bots.fake_slack import (
    BOT_USER,
    SIGNING_SECRET,
    FakeSlack,
    action_body,
    command_body,
    event_body,
    signed,
)

pytestmark = pytest.mark.slow  # a real store with the bundled embedder

PUBLIC_URL = "https://vorlagen.example/"
DRAFT = (
    "Entwurf: Fortschreibung des Integrationskonzepts, der Gemeinderat entscheidet am 12.03.; "
    "Fakten: Konzept von 2019 fortgeschrieben; Beteiligung des Migrationsbeirats; Finanzen: keine"
)
USERS = [
    {"platform": "slack", "user_id": "U0ANNA", "name": "anna"},
    {"platform": "slack", "user_id": "U0VERA", "name": "vera", "rights": ["nichtoeffentlich"]},
]


@dataclass
class Slack:
    client: httpx.AsyncClient
    fake: FakeSlack
    bot: SlackBot
    services: Services
    chat: EchoChat

    async def post(self, body: str, content_type: str, **headers: str) -> httpx.Response:
        sent = {"Content-Type": content_type, **signed(body), **headers}
        return await self.client.post(EVENTS_PATH, content=body, headers=sent)

    async def event(self, event: dict[str, Any], event_id: str, **headers: str) -> httpx.Response:
        return await self.post(event_body(event, event_id), "application/json", **headers)

    async def command(self, text: str, **kwargs: str) -> httpx.Response:
        body = command_body(text, **kwargs)
        return await self.post(body, "application/x-www-form-urlencoded")

    def thread_posts(self, thread_ts: str) -> list[dict[str, Any]]:
        return [a for a in self.fake.named("chat.postMessage") if a.get("thread_ts") == thread_ts]


def _message(text: str, ts: str, **fields: str) -> dict[str, Any]:
    return {"type": "message", "channel_type": "channel", "channel": "C0001", "user": "U0ANNA",
            "text": text, "ts": ts, **fields}  # fmt: skip


def _mention(text: str, ts: str, **fields: str) -> dict[str, Any]:
    return {**_message(f"<@{BOT_USER}> {text}", ts, **fields), "type": "app_mention"}


@asynccontextmanager
async def _slack(store: Path, tmp_path: Path) -> AsyncIterator[Slack]:
    fake = await FakeSlack().start()
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "bots": {
                "slack": {
                    "enabled": True,
                    "signing_secret": SIGNING_SECRET,
                    "bot_token": "xoxb-test-token",
                    "api_url": f"{fake.url}/api/",
                },
                "users": USERS,
                "public_url": PUBLIC_URL,
            },
        }
    )
    services = build_services(settings)
    chat = EchoChat()
    services.__dict__["chat_model"] = chat
    app = create_app(services, store_dir=store)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield Slack(client, fake, app.state.slack_bot, services, chat)
    finally:
        await fake.stop()


def _run(store: Path, tmp_path: Path, scenario: Callable[[Slack], Awaitable[None]]) -> None:
    async def main() -> None:
        async with _slack(store, tmp_path) as slack:
            await scenario(slack)

    asyncio.run(main())


def test_only_signed_fresh_requests_are_taken(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    async def scenario(slack: Slack) -> None:
        body = event_body(_mention("hilfe", "1700000000.000100"), "Ev0001")
        plain = {"Content-Type": "application/json"}
        bad = {**plain, **signed(body, secret="not-the-secret")}
        stale = {**plain, **signed(body, timestamp=int(time.time()) - 6 * 60)}
        for headers in (plain, bad, stale):
            refused = await slack.client.post(EVENTS_PATH, content=body, headers=headers)
            assert refused.status_code == 401
        ssl = "ssl_check=1&token=unused"
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        for headers in (form, {**form, **signed(ssl, secret="wrong")}):
            refused = await slack.client.post(EVENTS_PATH, content=ssl, headers=headers)
            assert refused.status_code == 401  # no ssl_check bypass
        ok = await slack.post(ssl, form["Content-Type"])
        assert ok.status_code == 200
        await slack.bot.drain()
        assert slack.fake.named("chat.postMessage") == []  # nothing refused did any work
        accepted = await slack.post(body, "application/json")
        assert accepted.status_code == 200
        await slack.bot.drain()
        answer = slack.thread_posts("1700000000.000100")
        assert len(answer) == 1 and "Entwurf:" in json.dumps(answer[0], ensure_ascii=False)

    _run(store_dir, tmp_path, scenario)


def test_retries_and_a_mention_sent_both_ways_are_answered_once(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async def scenario(slack: Slack) -> None:
        ts = "1700000000.000200"
        mention = _mention("hilfe", ts)
        assert (await slack.event(mention, "Ev0101")).status_code == 200
        retry = await slack.event(mention, "Ev0101", **{"X-Slack-Retry-Num": "1"})
        assert retry.status_code == 200
        message = _message(f"<@{BOT_USER}> hilfe", ts)
        assert (await slack.event(message, "Ev0102")).status_code == 200
        await slack.event(_message("Guten Morgen allerseits", "1700000000.000300"), "Ev0103")
        await slack.bot.drain()
        assert len(slack.thread_posts(ts)) == 1
        assert len(slack.fake.named("reactions.add")) == 1
        assert slack.thread_posts("1700000000.000300") == []  # not addressed: no answer

    _run(store_dir, tmp_path, scenario)


def test_a_slash_command_drafts_in_the_thread_and_follow_ups_refine_it(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async def scenario(slack: Slack) -> None:
        slack.chat.gate = threading.Event()  # the model waits: the ack must not
        response = await slack.command(DRAFT.replace("Entwurf:", "entwurf"), user="U0ANNA")
        assert response.status_code == 200
        for _ in range(500):
            if any("wartet" in str(a) or "Quellen" in str(a) for a in slack.fake.calls):
                break
            await asyncio.sleep(0.02)
        slack.chat.gate.set()
        await slack.bot.drain()
        root = slack.fake.named("chat.postMessage")[0]
        assert "U0ANNA" in root["text"] and "thread_ts" not in root
        thread_ts = "1800000000.000001"
        posts = slack.thread_posts(thread_ts)
        status, result = posts[0], posts[1:]
        assert "Entwurf wird erstellt" in status["text"]
        updates = slack.fake.named("chat.update")
        assert updates and "Sachdarstellung ist geschrieben" in updates[-2]["text"]
        assert "✓ Der Entwurf hat die Prüfung" in updates[-1]["text"]  # the status says done
        shown = json.dumps(result, ensure_ascii=False)
        for part in ("*Beschlussvorschlag*", "Der Gemeinderat beschließt", "*Sachdarstellung*",
                     "*Prüfung*", "*Quellen*", "[1] "):  # fmt: skip
            assert part in shown
        drafts = slack.services.archive.list_drafts(allow_nonpublic=False, actor="anna")
        assert len(drafts) == 1 and drafts[0].status == "done"  # „Meine Entwürfe“ of anna
        draft_id = drafts[0].id
        assert f"{PUBLIC_URL}entwurf/{draft_id}" in shown
        assert f"<{PUBLIC_URL}vorlage/" in shown  # each source links to the page's Vorlage
        assert CANARY not in shown and "2099/0001" not in shown

        # a follow-up in the thread, without a mention, refines the draft
        follow = _message("Finanzierung ergänzen: 20.000 EUR aus Produkt 3.1.2", "1800000001.0",
                          thread_ts=thread_ts)  # fmt: skip
        await slack.event(follow, "Ev0201")
        await slack.bot.drain()
        refined = json.dumps(slack.thread_posts(thread_ts)[len(posts) :], ensure_ascii=False)
        assert "Fassung 2, verfeinert" in refined and "20.000 EUR aus Produkt 3.1.2" in refined
        record = slack.services.archive.get(draft_id, allow_nonpublic=False)
        assert record is not None and record.versions == 2

        # „Als Word-Datei“: the stored version's DOCX, uploaded into the thread
        action = action_body(draft_id, user="U0ANNA", channel="C0001", thread_ts=thread_ts)
        assert (await slack.post(action, "application/x-www-form-urlencoded")).status_code == 200
        await slack.bot.drain()
        assert len(slack.fake.uploads) == 1 and slack.fake.uploads[0][:2] == b"PK"
        complete = slack.fake.named("files.completeUploadExternal")[0]
        assert complete["channel_id"] == "C0001" and complete["thread_ts"] == thread_ts

    _run(store_dir, tmp_path, scenario)


def test_the_canary_stays_out_of_channels(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    async def scenario(slack: Slack) -> None:
        direct = _message(f"Suche: {CANARY}", "1700000000.000400", channel="D0VERA",
                          channel_type="im", user="U0VERA")  # fmt: skip
        await slack.event(direct, "Ev0301")
        channel = _mention(f"Suche: {CANARY}", "1700000000.000500", user="U0VERA")
        await slack.event(channel, "Ev0302")
        await slack.command(f"suche {CANARY}", user="U0VERA")
        await slack.bot.drain()
        in_dm = json.dumps(slack.thread_posts("1700000000.000400"), ensure_ascii=False)
        assert "2099/0001" in in_dm  # her own right, in a direct message
        in_channel = json.dumps(
            [a for a in slack.fake.named("chat.postMessage") if a["channel"] == "C0001"],
            ensure_ascii=False,
        )
        assert "ähnliche Vorlagen" in in_channel
        assert "2099/0001" not in in_channel and "vertraulicher Sachstand" not in in_channel

    _run(store_dir, tmp_path, scenario)


def test_a_failed_draft_is_told_in_german(store_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    async def scenario(slack: Slack) -> None:
        def broken(*args: object, **kwargs: object) -> str:
            raise LLMError("Das Sprachmodell antwortet nicht.")

        slack.chat._answer = broken  # type: ignore[method-assign]
        ts = "1700000000.000600"
        await slack.event(_mention(DRAFT, ts), "Ev0401")
        await slack.bot.drain()
        assert len(slack.fake.named("reactions.add")) == 1
        posts = slack.thread_posts(ts)
        assert "Das Sprachmodell antwortet nicht." in posts[-1]["text"]
        assert "Das Sprachmodell antwortet nicht." in slack.fake.named("chat.update")[-1]["text"]

    _run(store_dir, tmp_path, scenario)


def test_socket_mode_serves_no_endpoint_and_answers_over_the_socket(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async def main() -> None:
        fake = await FakeSlack().start()
        ts = "1700000000.000700"
        payload = json.loads(event_body(_mention("hilfe", ts), "Ev0501"))
        fake.envelopes.append(
            {
                "envelope_id": "env-1",
                "type": "events_api",
                "payload": payload,
                "accepts_response_payload": False,
                "retry_attempt": 0,
            }
        )
        settings = Settings.model_validate(
            {
                "data_dir": tmp_path,
                "bots": {
                    "slack": {
                        "enabled": True,
                        "socket_mode": True,
                        "app_token": "xapp-test-token",
                        "signing_secret": SIGNING_SECRET,
                        "bot_token": "xoxb-test-token",
                        "api_url": f"{fake.url}/api/",
                    }
                },
            }
        )
        app = create_app(build_services(settings), store_dir=store_dir)
        assert EVENTS_PATH not in {getattr(r, "path", "") for r in app.routes}
        try:
            async with app.router.lifespan_context(app):
                for _ in range(500):
                    if fake.acks and fake.named("chat.postMessage"):
                        break
                    await asyncio.sleep(0.02)
                await app.state.slack_bot.drain()
        finally:
            await fake.stop()
        assert fake.acks[0]["envelope_id"] == "env-1"
        (answer,) = [a for a in fake.named("chat.postMessage") if a.get("thread_ts") == ts]
        assert "Entwurf:" in json.dumps(answer, ensure_ascii=False)
        opened = fake.named("apps.connections.open")
        assert len(opened) == 1

    asyncio.run(main())
