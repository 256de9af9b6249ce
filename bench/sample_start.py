"""How long a fresh machine waits after install until search answers (``make run``, issue 10).

Each variant starts from an empty data directory (``VORLAGEN_DATA_DIR`` in a temporary
directory) and runs, as separate processes, what ``make run`` and a first search do:

1. prepare: ``python -m api.sample`` builds ``<data_dir>/sample-store`` from ``data/sample``
   (300 Vorlagen);
2. serve: ``vorlagen serve --store <that store>`` on a free loopback port, timed until
   ``GET /health`` answers ``ok``, then the first ``GET /api/search?q=Integrationskonzept``;
   "until search answers" is prepare + serve until /health + that first search, the wait
   ``make run`` has after install;
3. the first CLI search: ``vorlagen search "Integrationskonzept" --store <that store>`` (a cold
   process: imports, opening both indexes, loading the embedder, the query);
4. prepare again: the second ``make run`` (the ledger skips every file).

Variants: ``vectors`` (the shipped ``data/sample/vectors.npz``: no passage is embedded; repeated
``--repeat`` times, medians reported) and ``embedding`` (``--no-vectors``: every passage is
embedded by the bundled model, what a mismatching fingerprint costs; once, skipped with
``--quick``). Wall-clock seconds; the load average is printed because other work on the machine
slows the embedding.

Usage: ``python bench/sample_start.py [--repeat 3] [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUERY = "Integrationskonzept"
TARGET_S = 60.0
SERVE_TIMEOUT_S = 120.0


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run ``command`` in the repository; its wall-clock seconds and stdout. Fails loudly."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: str, env: dict[str, str], log: Path) -> tuple[float, float]:
    """Seconds from starting ``vorlagen serve`` until /health is ok, and of the first search."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "vorlagen"), "serve", "--port", str(port), "--store", store]
    with log.open("wb") as out:
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
        try:
            while True:
                if server.poll() is not None:
                    sys.exit(f"vorlagen serve exited with {server.returncode}: {log}")
                if time.perf_counter() - started > SERVE_TIMEOUT_S:
                    sys.exit(f"/health not ok within {SERVE_TIMEOUT_S:.0f} s: {log}")
                try:
                    health = httpx.get(f"{base}/health", timeout=5)
                    if health.status_code == 200 and health.json().get("status") == "ok":
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            health_s = time.perf_counter() - started
            before = time.perf_counter()
            found = httpx.get(f"{base}/api/search", params={"q": QUERY}, timeout=60)
            search_s = time.perf_counter() - before
            if found.status_code != 200 or QUERY not in found.text:
                sys.exit(f"/api/search answered {found.status_code}: {found.text[:500]}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return health_s, search_s


def one_start(vectors: bool) -> dict[str, float]:
    """Prepare, serve, a CLI search and prepare again from an empty data directory."""
    with tempfile.TemporaryDirectory(prefix="vorlagen-bench-start-") as tmp:
        env = {**os.environ, "VORLAGEN_DATA_DIR": str(Path(tmp) / "data")}
        env.pop("VORLAGEN_CONFIG", None)
        prepare = [str(BIN / "python"), "-m", "api.sample", *([] if vectors else ["--no-vectors"])]
        prepare_s, out = timed(prepare, env)
        store = out.strip().splitlines()[-1]
        health_s, api_search_s = serve(store, env, Path(tmp) / "serve.log")
        search_s, hits = timed([str(BIN / "vorlagen"), "search", QUERY, "--store", store], env)
        if QUERY not in hits:
            sys.exit(f"the first search found no {QUERY}:\n{hits[:1000]}")
        again_s, _ = timed(prepare, env)
    return {
        "prepare": prepare_s,
        "serve until /health": health_s,
        "first /api/search": api_search_s,
        "until search answers": prepare_s + health_s + api_search_s,
        "cold CLI search": search_s,
        "prepare again": again_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs with vectors (median)")
    parser.add_argument("--quick", action="store_true", help="skip the run without vectors")
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    runs = [one_start(vectors=True) for _ in range(args.repeat)]
    results = {"vectors": {k: statistics.median(r[k] for r in runs) for k in runs[0]}}
    if not args.quick:
        results["embedding"] = one_start(vectors=False)
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    keys = list(results["vectors"])
    print(f"\n{'seconds':<22}" + "".join(f"{name:>12}" for name in results))
    for key in keys:
        print(f"{key:<22}" + "".join(f"{r[key]:>12.1f}" for r in results.values()))
    wait = results["vectors"]["until search answers"]
    print(
        f"\nwith precomputed vectors: {wait:.1f} s until search answers (target < {TARGET_S:.0f} s)"
    )


if __name__ == "__main__":
    main()
