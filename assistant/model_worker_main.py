"""The model worker process: llama-cpp-python's OpenAI-compatible server on a loopback socket.

Started by :class:`assistant.model_worker.ModelWorker` as ``python -m assistant.model_worker_main
CONFIG``; never by hand. ``CONFIG`` is a JSON file (mode 0600) in llama-cpp-python's
``ConfigFileSettings`` format, holding the model settings and the bearer key every request must
carry. The parent's PID is in the environment variable ``VORLAGEN_WORKER_PARENT``.

Protocol on standard output, one line each, before the model is loaded:

* ``PORT <n>``: the loopback port this process listens on (chosen by the kernel, so two workers
  never race for a port);
* ``SYSTEM <text>``: llama.cpp's system information (the CPU features of the backend variant
  it chose for this CPU, see :mod:`assistant.llama_backends`).

After these two lines standard output goes to standard error (the parent's log file). The
socket listens before its port is announced, and the config file (with the key) is deleted as
soon as it is read. The server answers only after the model is loaded; the parent polls
``GET /v1/models`` for readiness. The process ends when its parent ends (a thread watches the
parent's PID), so no orphaned worker keeps a model in memory. Exit code 3: no CPU backend
variant of the build runs on this CPU (no AVX2).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

PARENT_ENV = "VORLAGEN_WORKER_PARENT"
EXIT_NO_CPU_BACKEND = 3
"""Exit code when no CPU backend variant of the build can run on this CPU."""


def _die_with_parent(parent: int) -> None:
    """End this process within a second of ``parent`` ending, however it ends.

    A thread watches the parent's PID (the process is re-parented when its parent dies).
    ``PR_SET_PDEATHSIG`` is not used: it fires when the parent *thread* that started this
    process ends, and workers are restarted from short-lived threads."""

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(1.0)

    if os.getppid() != parent:  # the parent died before this process got here
        os._exit(0)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _say(line: str) -> None:
    sys.stdout.write(line.replace("\n", " ") + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m assistant.model_worker_main CONFIG\n")
        return 2
    parent = int(os.environ.get(PARENT_ENV, "0") or 0)
    if parent:
        _die_with_parent(parent)

    import llama_cpp
    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ConfigFileSettings, ServerSettings

    from assistant.llama_backends import load_cpu_backend

    if not load_cpu_backend():  # the best CPU variant of the portable build, before any model
        sys.stderr.write("no llama.cpp CPU backend variant runs on this CPU (AVX2 missing)\n")
        return EXIT_NO_CPU_BACKEND

    path = Path(argv[0])
    config = ConfigFileSettings.model_validate_json(path.read_bytes())
    path.unlink(missing_ok=True)  # the key lives on in this process only
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((config.host, 0))
    # listening before the port is announced: no other local process can take the port over
    # while the model loads (the parent's health checks wait in the backlog meanwhile)
    sock.listen(64)
    _say(f"PORT {sock.getsockname()[1]}")
    _say(f"SYSTEM {llama_cpp.llama_print_system_info().decode('utf-8', 'replace').strip()}")
    # from here on, whatever the server prints goes to the log file: nobody reads the pipe
    # any more, and a full pipe would block the server
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    app = create_app(
        server_settings=ServerSettings.model_validate(config), model_settings=config.models
    )
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, timeout_keep_alive=30)
    )
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
