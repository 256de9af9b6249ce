"""A local Slack Web API that records every call (slack_sdk's ``base_url`` points at it), and
signed Slack requests: what the bot sends and what Slack would send it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = "UBOT0001"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # a test secret (Slack's documentation's)


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    """The Web API methods the bot uses, answered like Slack; ``calls`` in order."""

    calls: list[Call] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    envelopes: list[dict[str, Any]] = field(default_factory=list)  # sent over Socket Mode
    acks: list[dict[str, Any]] = field(default_factory=list)  # what the bot answered there
    url: str = ""
    _ts: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def named(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def posted_text(self) -> str:
        """Every posted or updated message (texts and blocks) as one JSON string."""
        return json.dumps(
            [c.args for c in self.calls if c.method in ("chat.postMessage", "chat.update")],
            ensure_ascii=False,
        )

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)  # slack_sdk sends some as the query
        if request.content_type == "application/json":
            args.update(await request.json())
        else:
            args.update(await request.post())
        self.calls.append(Call(method, args))
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B0001", "team_id": "T0001"}
        if method in ("chat.postMessage", "chat.update"):
            self._ts += 1
            ts = args.get("ts") or f"1800000000.{self._ts:06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/link"}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F0001", "file_id": "F0001"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F0001", "title": "Entwurf"}]}
        return {"ok": True}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: hello, then each envelope; the bot's acknowledgements are kept."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        for envelope in self.envelopes:
            await socket.send_json(envelope)
        async for message in socket:
            if message.type == web.WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return socket

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append(await request.read())
        return web.Response(text="OK - 1")


def signed(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers of ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "token": "unused",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
    )


def command_body(text: str, *, user: str = "U0001", channel: str = "C0001") -> str:
    return urllib.parse.urlencode(
        {
            "token": "unused",
            "team_id": "T0001",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "allgemein",
            "user_id": user,
            "command": "/vorlage",
            "text": text,
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": f"trigger-{time.time_ns()}",
        }
    )


def action_body(draft_id: str, *, user: str, channel: str, thread_ts: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": user},
        "api_app_id": "A0001",
        "channel": {"id": channel},
        "message": {"ts": "1800000000.999999", "thread_ts": thread_ts},
        "container": {"type": "message", "channel_id": channel},
        "trigger_id": "trigger-action",
        "actions": [
            {"action_id": "vorlage_docx", "block_id": "b", "type": "button", "value": draft_id}
        ],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})
