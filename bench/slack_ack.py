"""Slack acknowledgement time: how long the app takes to answer a signed Slack request while
the bot's work (and a draft the model is writing) goes on in the background.

Slack wants its 200 within 3 s, else it retries and shows the user an error. One run builds the
app over a store of the five seed Vorlagen (bundled embedder) with a scripted chat model that
is held (a draft is "being written" the whole time), the Slack Web API answered by the local
recording server of the tests, serves it with uvicorn on a loopback port and sends over a real
socket, ``--n`` times each, one after the other while the earlier requests' work runs:

* baseline: an unsigned ``POST /slack/events`` (refused with 401 by the signature check: the
  same path and parsing, no work);
* ``GET /health`` for comparison (store, database and model checks);
* a signed ``app_mention`` „hilfe“ (signature check, dedupe, then the answer in background);
* a signed ``/vorlage entwurf …`` (the command is posted, a draft job queued, or refused with a
  German message when the queue is full).

Reported: p50, p95 and max milliseconds of the acknowledgement, and each p50 as a ratio of the
baseline's. Usage: ``python bench/slack_ack.py [--n 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api.app import create_app  # noqa: E402
from api.bots.slack_app import EVENTS_PATH  # noqa: E402
from api.container import build_services  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.documents import file_documents  # noqa: E402
from tests.api.test_app import EchoChat  # noqa: E402
from tests.bots.fake_slack import (  # noqa: E402
    BOT_USER,
    SIGNING_SECRET,
    FakeSlack,
    command_body,
    event_body,
    signed,
)
from tests.conftest import shared_dir  # noqa: E402

DRAFT = "entwurf Neubau Kita Lindenweg, Gemeinderat beschließt am 12.3.; Fakten: Kosten 2 Mio."


async def _timed(n: int, send: Callable[[int], Awaitable[httpx.Response]]) -> list[float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        response = await send(i)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code not in (200, 401):
            raise SystemExit(f"unexpected status {response.status_code}: {response.text[:200]}")
    return times


def _row(name: str, times: list[float], baseline: float) -> str:
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    return f"{name:<28} {p50:8.1f} {p95:8.1f} {max(times):8.1f} {p50 / baseline:8.1f}x"


async def main(n: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="slack-ack-"))
    fake = await FakeSlack().start()
    settings = Settings.model_validate(
        {
            "data_dir": data,
            "bots": {
                "slack": {
                    "enabled": True,
                    "signing_secret": SIGNING_SECRET,
                    "bot_token": "xoxb-bench",
                    "api_url": f"{fake.url}/api/",
                }
            },
        }
    )
    services = build_services(settings)
    chat = EchoChat(gate=threading.Event())  # held: the draft never finishes during the run
    services.__dict__["chat_model"] = chat
    store = services.store_at(data / "store")
    seeds = sorted((shared_dir() / "seeds").glob("*.txt"))
    documents, _ = file_documents(seeds, services.parser)
    store.ingest_pipeline(services.parser.options).run(documents)
    app = create_app(services, store_dir=data / "store")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        await client.get("/health")  # warm: the store opened once

        async def refused(_: int) -> httpx.Response:
            return await client.post(
                EVENTS_PATH, content="{}", headers={"X-Slack-Signature": "v0=0"}
            )

        async def health(_: int) -> httpx.Response:
            return await client.get("/health")

        async def mention(i: int) -> httpx.Response:
            event = {"type": "app_mention", "channel": "C0001", "user": "U0001",
                     "text": f"<@{BOT_USER}> hilfe", "ts": f"1700000000.{i:06d}"}  # fmt: skip
            body = event_body(event, f"EvBench{i}")
            headers = {"Content-Type": "application/json", **signed(body)}
            return await client.post(EVENTS_PATH, content=body, headers=headers)

        async def command(_: int) -> httpx.Response:
            body = command_body(DRAFT)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
            return await client.post(EVENTS_PATH, content=body, headers=headers)

        baseline = await _timed(n, refused)
        healths = await _timed(n, health)
        mentions = await _timed(n, mention)
        commands = await _timed(n, command)
        bot = app.state.slack_bot
        held = sum(1 for task in bot.tasks if not task.done())
        print(f"n = {n} each; background tasks still running at the end: {held}")
        print(f"{'request':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50/base':>9}")
        base = statistics.median(baseline)
        print(_row("unsigned, refused (baseline)", baseline, base))
        print(_row("GET /health", healths, base))
        print(_row("signed app_mention", mentions, base))
        print(_row("signed /vorlage entwurf", commands, base))
        chat.gate.set()
        await bot.stop()
    server.should_exit = True
    await serving
    await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50)
    asyncio.run(main(parser.parse_args().n))
