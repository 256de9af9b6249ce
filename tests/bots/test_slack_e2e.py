"""The Slack bot end to end with the REAL bundled model (marked llm and slow): a real uvicorn
server on a loopback port serving the app over a store of the five seed Vorlagen, a signed
``/vorlage entwurf …`` sent over a real socket, and the local recording Slack API
(tests/bots/fake_slack.py) receiving the draft in the command's thread."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.bots.slack_app import EVENTS_PATH
from api.container import build_services
from assistant.bundled_model import BundledChatModel
from assistant.settings import Settings
from ingest.documents import file_documents
from tests.bots.fake_slack import SIGNING_SECRET, FakeSlack, command_body, signed

pytestmark = [pytest.mark.slow, pytest.mark.llm]

COMMAND = (
    "entwurf Fortschreibung des Integrationskonzeptes, der Rat der Stadt entscheidet am 12.3.; "
    "Kommune: Stadt Wedel; Fakten: Integrationskonzept 2019 beschlossen; Fortschreibung mit "
    "dem Integrationsbeirat in drei Workshops erarbeitet; Kosten der Moderation 4.800 Euro; "
    "Finanzen: 4.800 Euro aus dem Budget des Fachdienstes Soziales"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_slash_command_through_to_a_posted_draft(
    bundled_model_path: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    async def main() -> None:
        fake = await FakeSlack().start()
        settings = Settings.model_validate(
            {
                "data_dir": tmp_path,
                "llm": {"model_path": str(bundled_model_path), "timeout_s": 60},
                "bots": {
                    "slack": {
                        "enabled": True,
                        "signing_secret": SIGNING_SECRET,
                        "bot_token": "xoxb-test-token",
                        "api_url": f"{fake.url}/api/",
                    },
                    "public_url": "https://vorlagen.example/",
                },
            }
        )
        services = build_services(settings)
        store = services.store_at(tmp_path / "store")
        documents, _ = file_documents(sorted(seeds_dir.glob("*.txt")), services.parser)
        await asyncio.to_thread(store.ingest_pipeline(services.parser.options).run, documents)
        app = create_app(services, store_dir=tmp_path / "store")
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                await asyncio.sleep(0.05)
            body = command_body(COMMAND, user="U0ANNA")
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.post(
                    f"http://127.0.0.1:{port}{EVENTS_PATH}", content=body, headers=headers
                )
            assert answer.status_code == 200
            await asyncio.wait_for(app.state.slack_bot.drain(), timeout=600)
        finally:
            server.should_exit = True
            await serving
            await fake.stop()
            chat = services.chat_model
            if isinstance(chat, BundledChatModel):
                chat.worker.stop()
        thread = [
            a for a in fake.named("chat.postMessage") if a.get("thread_ts") == "1800000000.000001"
        ]
        posted = json.dumps(thread, ensure_ascii=False)
        assert "*Beschlussvorschlag*" in posted and "Der Rat der Stadt" in posted
        assert "*Sachdarstellung*" in posted and "*Quellen*" in posted and "*Prüfung*" in posted
        drafts = services.archive.list_drafts(allow_nonpublic=False, actor="slack-U0ANNA")
        assert len(drafts) == 1 and drafts[0].status == "done"

    asyncio.run(main())
