"""The HTTP service under load (issue 10): search latency alone and while 3 drafts generate,
failures, and the memory of the server and the model worker.

One run:

1. the store: ``--store DIR``, or ``--papers N`` (default 200) Karlsruhe papers from
   ``../shared/corpus/karlsruhe-oparl/papers`` ingested into a temporary directory with the
   ingest use case;
2. the server: ``create_app`` under uvicorn in a child process on a free loopback port (local
   mode: no keys, only 127.0.0.1), ``server.queue_size`` 3 so that all 3 drafts are accepted,
   the draft database in a temporary directory; the chat model is the configured one (the
   bundled model in its worker, warmed up before the first request) or, with
   ``--fake-model``, the scripted echo model of the tests with ``--token-delay`` seconds per
   streamed piece (to smoke-test the bench without the model);
3. search alone: ``--rounds`` rounds of 20 concurrent ``GET /api/search`` (httpx
   AsyncClient), distinct queries from ``tests/data/retrieval_eval.jsonl``;
4. search while 3 drafts run: the 3 drafts start at once (``POST /api/drafts/stream``, read to
   their last event), then rounds of 20 concurrent searches, ``--pause`` seconds apart, until
   the drafts are done (at most ``--max-rounds`` rounds and ``--draft-timeout`` seconds; a draft
   still running then is cancelled and counted as a failure);
5. memory: VmRSS and VmHWM (``/proc/<pid>/status``) of the server process and of the model
   worker (its PID from ``BundledChatModel.worker_info()``), before step 3 and after step 4.

Failures: every answer that is not 200 (201 for nothing here), and every draft that does not
end with ``done``; a 503 from the draft queue is deliberate and counted apart. The exit code
is 1 when there was a failure.

Usage::

    python bench/api_load.py [--store DIR | --papers 200] [--rounds 5] [--pause 1]
        [--fake-model [--token-delay 0.05]]

The searches and the drafts share the machine's 2 cores with the server: the figures are the
service's, as a clerk sees them, not the search engine's alone (bench/search_latency.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CONCURRENT = 20
DRAFTS = 3
START_TIMEOUT_S = 600.0  # the bundled model's first load included
QUERIES = REPO / "tests" / "data" / "retrieval_eval.jsonl"
DRAFT_REQUESTS = [
    {
        "betreff": "Fortschreibung des Integrationskonzepts",
        "gremium": "Gemeinderat",
        "kommune": "Stadt Karlsruhe",
        "fakten": "- Konzept von 2019 fortgeschrieben\n- Beteiligung des Migrationsbeirats",
        "finanzielle_auswirkungen": "keine",
    },
    {
        "betreff": "Sanierung der Turnhalle der Grundschule Nordstadt",
        "gremium": "Gemeinderat",
        "kommune": "Stadt Karlsruhe",
        "fakten": "- Dach undicht seit 2022\n- Kosten laut Gutachten 1,2 Mio. Euro",
        "finanzielle_auswirkungen": "1,2 Mio. Euro im Haushalt 2027",
    },
    {
        "betreff": "Einführung eines Radverkehrskonzepts",
        "gremium": "Ausschuss für Umwelt und Verkehr",
        "kommune": "Stadt Karlsruhe",
        "fakten": "- Radverkehrsanteil 18 Prozent\n- Ziel 25 Prozent bis 2030",
        "finanzielle_auswirkungen": "keine",
    },
]


def shared_dir() -> Path:
    env = os.environ.get("VORLAGEN_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the server (child process) -----------------------------------------------------------------


def serve(store: Path, data_dir: Path, port: int, fake_model: bool, token_delay: float) -> None:
    """Run the app on 127.0.0.1:``port``; print one JSON line with the PIDs once ready."""
    import uvicorn

    from api.app import create_app
    from api.container import services_from_environment
    from assistant.bundled_model import BundledChatModel

    overrides = {
        "data_dir": str(data_dir),
        "server": {"queue_size": DRAFTS, "request_timeout_s": START_TIMEOUT_S},
    }
    services = services_from_environment(overrides)
    if fake_model:
        services.__dict__["chat_model"] = _slow_echo(token_delay)  # the cached property
    app = create_app(services, store_dir=store)
    app.state.store.retriever.warm_up()  # the embedder and both indexes, as a served store
    services.chat_model.warm_up()
    chat = services.chat_model
    worker = chat.worker_info().pid if isinstance(chat, BundledChatModel) else None
    print(json.dumps({"pid": os.getpid(), "worker": worker}), flush=True)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None
    )


def _slow_echo(delay_s: float) -> Any:
    """The tests' scripted echo model, ``delay_s`` seconds per streamed piece."""
    from tests.api.test_app import EchoChat

    class SlowEcho(EchoChat):
        async def astream(
            self, messages: Any, *, max_tokens: int | None = None, schema: Any = None
        ) -> AsyncIterator[str]:
            async for piece in super().astream(messages, max_tokens=max_tokens, schema=schema):
                await asyncio.sleep(delay_s)
                yield piece

    return SlowEcho(name=f"fake:echo ({delay_s} s/Stück)")


# --- the store ------------------------------------------------------------------------------------


def build_store(directory: Path, papers: int) -> Path:
    """``papers`` Karlsruhe papers (every n-th, sorted) ingested into ``directory/store``."""
    from api.container import build_services
    from assistant.settings import Settings

    source = shared_dir() / "corpus" / "karlsruhe-oparl" / "papers"
    every = sorted(source.glob("*.json"))
    if not every:
        sys.exit(f"no papers in {source}; set VORLAGEN_SHARED")
    chosen = every[:: max(1, len(every) // papers)][:papers]
    services = build_services(Settings(data_dir=directory))
    store = services.store_at(directory / "store")
    started = time.perf_counter()
    summary = services.ingest(services.ingest_sources(chosen, store=store), store=store)
    log(
        f"store: {summary.new} Vorlagen ingested in {time.perf_counter() - started:.0f} s "
        f"({len(summary.failed)} failed)"
    )
    return store.directory


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Searches:
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q * 100) - 1]


@dataclass
class DraftOutcome:
    status: str  # done, error, cancelled, refused (503), failed (other)
    seconds: float
    detail: str = ""


def memory(pid: int | None) -> tuple[float, float] | None:
    """VmRSS and VmHWM of ``pid`` in MiB; None without the process."""
    if pid is None:
        return None
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    values = {k: v for k, _, v in (line.partition(":") for line in lines)}

    def mib(key: str) -> float:
        return int(values[key].split()[0]) / 1024

    return mib("VmRSS"), mib("VmHWM")


async def search_round(client: httpx.AsyncClient, queries: Sequence[str], out: Searches) -> None:
    async def one(query: str) -> None:
        started = time.perf_counter()
        try:
            answer = await client.get("/api/search", params={"q": query, "k": 5})
        except httpx.HTTPError as err:
            out.failures.append(f"search: {type(err).__name__}")
            return
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code == 200:
            out.latencies_ms.append(elapsed)
        else:
            out.failures.append(f"search: {answer.status_code} {answer.text[:200]}")

    await asyncio.gather(*(one(q) for q in queries))


async def draft(
    client: httpx.AsyncClient, request: dict[str, str], timeout_s: float
) -> DraftOutcome:
    """One streamed draft, read to its last event (cancelled after ``timeout_s``)."""
    started = time.perf_counter()
    draft_id = ""
    last = ""
    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream("POST", "/api/drafts/stream", json=request) as answer:
                if answer.status_code == 503:
                    return DraftOutcome("refused", time.perf_counter() - started)
                if answer.status_code != 200:
                    body = (await answer.aread()).decode()[:200]
                    return DraftOutcome("failed", 0.0, f"{answer.status_code} {body}")
                async for line in answer.aiter_lines():
                    if line.startswith("event: "):
                        last = line[7:]
                    elif line.startswith("data: ") and not draft_id:
                        draft_id = json.loads(line[6:]).get("id", "")
    except TimeoutError:
        if draft_id:
            await client.post(f"/api/drafts/{draft_id}/cancel")
        return DraftOutcome("failed", time.perf_counter() - started, "timeout")
    except httpx.HTTPError as err:
        return DraftOutcome("failed", time.perf_counter() - started, type(err).__name__)
    return DraftOutcome(last or "failed", time.perf_counter() - started)


def query_batches(rounds: int) -> list[list[str]]:
    from assistant.evaluation import parse_queries

    texts = [q.query for q in parse_queries(QUERIES.read_text(encoding="utf-8").splitlines())]
    unique = list(dict.fromkeys(texts))
    return [
        [unique[(r * CONCURRENT + i) % len(unique)] for i in range(CONCURRENT)]
        for r in range(rounds)
    ]


async def measure(
    base_url: str, args: argparse.Namespace
) -> tuple[Searches, Searches, list[DraftOutcome]]:
    batches = query_batches(args.rounds + args.max_rounds)
    timeout = httpx.Timeout(args.draft_timeout, connect=10.0)
    limits = httpx.Limits(max_connections=CONCURRENT + DRAFTS + 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
        await search_round(client, batches[0][:2], Searches())  # warm: first-call costs
        alone = Searches()
        for batch in batches[: args.rounds]:
            await search_round(client, batch, alone)
        log(f"alone: {len(alone.latencies_ms)} searches")
        loaded = Searches()
        drafting = [
            asyncio.create_task(draft(client, DRAFT_REQUESTS[i % 3], args.draft_timeout))
            for i in range(DRAFTS)
        ]
        await asyncio.sleep(args.pause)  # the drafts are queued and the first one generates
        deadline = time.monotonic() + args.draft_timeout
        for batch in batches[args.rounds : args.rounds + args.max_rounds]:
            if all(task.done() for task in drafting) or time.monotonic() > deadline:
                break
            await search_round(client, batch, loaded)
            await asyncio.sleep(args.pause)
        log(f"with drafts: {len(loaded.latencies_ms)} searches")
        outcomes = list(await asyncio.gather(*drafting))
    return alone, loaded, outcomes


# --- the report ---------------------------------------------------------------------------------


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "–"


def report(
    alone: Searches,
    loaded: Searches,
    outcomes: list[DraftOutcome],
    before: dict[str, tuple[float, float] | None],
    after: dict[str, tuple[float, float] | None],
    model: str,
) -> int:
    print(f"\nHTTP service under load ({model}; {CONCURRENT} concurrent searches, {DRAFTS} drafts)")
    print("\n| search latency | without drafts | with 3 drafts | ratio |")
    print("|---|---:|---:|---:|")
    for name, q in (("p50 ms", 0.5), ("p95 ms", 0.95)):
        a, b = alone.quantile(q), loaded.quantile(q)
        print(f"| {name} | {a:.0f} | {b:.0f} | {ratio(b, a)} |")
    print(f"| searches | {len(alone.latencies_ms)} | {len(loaded.latencies_ms)} | |")
    print(f"| failed searches | {len(alone.failures)} | {len(loaded.failures)} | |")
    print("\n| memory (MiB) | VmRSS before | VmRSS after | ratio | VmHWM after |")
    print("|---|---:|---:|---:|---:|")
    for name in ("server", "worker"):
        b, a = before.get(name), after.get(name)
        if a is None or b is None:
            print(f"| {name} | – | – | – | – |")
            continue
        print(f"| {name} | {b[0]:.0f} | {a[0]:.0f} | {ratio(a[0], b[0])} | {a[1]:.0f} |")
    print("\n| draft | outcome | seconds |")
    print("|---|---|---:|")
    for n, outcome in enumerate(outcomes, start=1):
        detail = f" ({outcome.detail})" if outcome.detail else ""
        print(f"| {n} | {outcome.status}{detail} | {outcome.seconds:.0f} |")
    refused = sum(o.status == "refused" for o in outcomes)
    failed_drafts = [o for o in outcomes if o.status not in ("done", "refused")]
    failures = alone.failures + loaded.failures + [f"draft: {o.status}" for o in failed_drafts]
    print(f"\nfailures: {len(failures)} (deliberate 503 from the draft queue: {refused})")
    for failure in failures[:10]:
        print(f"  {failure}")
    return 1 if failures else 0


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an existing store (else --papers are ingested)")
    parser.add_argument("--papers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of 20 searches alone")
    parser.add_argument("--max-rounds", type=int, default=60, help="at most, with drafts")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--draft-timeout", type=float, default=900.0)
    parser.add_argument("--fake-model", action="store_true")
    parser.add_argument("--token-delay", type=float, default=0.05)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.store, args.data_dir, args.port, args.fake_model, args.token_delay)
        return 0
    with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
        root = Path(tmp)
        store = args.store.resolve() if args.store else build_store(root / "ingest", args.papers)
        return run(store, root, args)


def run(store: Path, root: Path, args: argparse.Namespace) -> int:
    port = free_port()
    command = [sys.executable, __file__, "--serve", "--store", str(store)]
    command += ["--data-dir", str(root / "data"), "--port", str(port)]
    if args.fake_model:
        command += ["--fake-model", "--token-delay", str(args.token_delay)]
    server_log = root / "server.log"
    with server_log.open("w") as errors:
        child = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        try:
            return _against(child, port, args, server_log)
        finally:
            child.send_signal(signal.SIGINT)  # uvicorn shuts down, running drafts are cancelled
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _against(
    child: subprocess.Popen[str], port: int, args: argparse.Namespace, server_log: Path
) -> int:
    assert child.stdout is not None
    pids: dict[str, int | None] = {}
    for line in child.stdout:  # blocks until the model is loaded (or the child died)
        if line.startswith('{"pid"'):
            pids = json.loads(line)
            break
    if not pids:
        sys.exit(f"the server did not start:\n{server_log.read_text()[-3000:]}")
    base_url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    while True:
        try:
            health = httpx.get(f"{base_url}/health", timeout=5)
            if health.status_code in (200, 503):
                break
        except httpx.HTTPError:
            pass
        if child.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
            sys.exit(f"the server did not answer:\n{server_log.read_text()[-3000:]}")
        time.sleep(0.2)
    state = health.json()
    log(f"server ready: {state}")
    before = {"server": memory(pids["pid"]), "worker": memory(pids["worker"])}
    alone, loaded, outcomes = asyncio.run(measure(base_url, args))
    after = {"server": memory(pids["pid"]), "worker": memory(pids["worker"])}
    return report(alone, loaded, outcomes, before, after, state.get("model_name", "?"))


if __name__ == "__main__":
    sys.exit(main())
