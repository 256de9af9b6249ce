"""The supervised model worker: the bundled GGUF model in a child process of its own.

Why a child process (docs/models.md): llama.cpp is native code. A crash in it (a segfault on an
unlucky CPU, an out-of-memory kill) or a hang must end one draft with a German sentence, never
the service. So the model runs in llama-cpp-python's own OpenAI-compatible server
(:mod:`assistant.model_worker_main`) on a loopback port, and the service talks to it through the
same OpenAI-compatible backend it uses for production model servers.

:class:`ModelWorker` owns that process:

* **start on first use** (:meth:`ModelWorker.ensure_running`): writes the server's settings
  with a fresh random bearer key into a private file (mode 0600; the key never appears on a
  command line or in a log), starts the child, reads the port it bound and its CPU features,
  and waits until ``GET /v1/models`` answers (the model is loaded);
* **health**: :meth:`alive` is the process's state; a child that exited is restarted by the
  next :meth:`ensure_running` (so the next request works);
* **hang**: the caller that notices a stalled answer calls :meth:`kill`; the next
  :meth:`ensure_running` starts a fresh child;
* **stop** at interpreter exit, and the child ends by itself when this process dies (see
  :mod:`assistant.model_worker_main`).

Thread-safe: one lock guards starting, killing and stopping.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.model_worker_main import EXIT_NO_CPU_BACKEND
from assistant.ports import LLMError

__all__ = ["ModelWorker", "WorkerInfo", "WorkerSettings"]

log = logging.getLogger(__name__)

MODEL_ALIAS = "vorlagen-modell"
"""The model name the worker serves under (requests name it in ``model``)."""


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker loads the model. ``n_threads`` None: all cores."""

    n_ctx: int = 8192
    n_threads: int | None = None
    n_batch: int = 512  # prompt tokens per batch (llama.cpp's 2048 is no faster on 2 cores)
    flash_attn: bool = True  # reading a prompt ~10 % faster on CPU (docs/benchmarks.md)
    seed: int = 42
    start_timeout_s: float = 180.0


@dataclass(frozen=True)
class WorkerInfo:
    """What one start of the worker reported."""

    pid: int
    base_url: str
    system_info: str  # llama.cpp's CPU features, e.g. "CPU : SSE3 = 1 | AVX2 = 1 | ..."
    load_seconds: float  # from starting the process to the model answering

    def cpu_features(self) -> list[str]:
        """The features llama.cpp reports as on (``AVX2 = 1`` -> ``AVX2``)."""
        found: list[str] = []
        for part in self.system_info.replace(":", "|").split("|"):
            name, _, value = part.partition("=")
            if value.strip() == "1":
                found.append(name.strip())
        return found


class _Lines:
    """Lines from a pipe, read with ``os.read`` so that ``poll`` sees every unread byte
    (a buffered reader could hold the second line while ``poll`` waits for more).

    ``poll``, not ``select``: ``select`` refuses a descriptor numbered 1024 or higher, which a
    server with many open connections (or a long test session) hands to a new pipe."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self.closed = False
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)

    def next(self, timeout: float) -> str | None:
        """The next line, or None when none is complete within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer and not self.closed:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(max(1, round(left * 1000))):
                return None
            chunk = os.read(self._fd, 4096)
            self._buffer += chunk
            self.closed = not chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if not line and self.closed:
            return None
        return line.decode("utf-8", "replace").strip()


def _wait(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether ``process`` ended within ``seconds``."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _answers(base_url: str, key: str, timeout: float) -> bool:
    """Whether the worker at ``base_url`` answers ``GET /models`` with the key: it is ready."""
    try:
        response = httpx.get(
            f"{base_url}/models", headers={"Authorization": f"Bearer {key}"}, timeout=timeout
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container's CPU set), else all cores."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _signal_name(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"Signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"Signal {-returncode}"
    return f"Exit-Code {returncode}"


class ModelWorker:
    """One supervised llama.cpp server process for one GGUF file; cheap until first use.

    ``model_file`` returns the GGUF path (for the bundled model it assembles and verifies the
    file on first call) and may raise :class:`assistant.ports.LLMError`.
    """

    def __init__(
        self,
        model_file: Callable[[], Path],
        settings: WorkerSettings | None = None,
        *,
        python: str | None = None,
    ) -> None:
        self._model_file = model_file
        self.settings = settings or WorkerSettings()
        self._python = python or sys.executable
        self._lock = threading.RLock()
        self._process: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None
        self._info: WorkerInfo | None = None
        self._key = ""
        self.starts = 0
        """How many times a worker process was started (1 + restarts)."""
        self.last_exit: str | None = None
        """How the previous worker process ended (e.g. ``Signal SIGSEGV``), if one did."""
        self._stopping = False
        atexit.register(self.stop)

    @property
    def api_key(self) -> str:
        """The bearer key of the running worker (empty before the first start)."""
        return self._key

    @property
    def info(self) -> WorkerInfo | None:
        """What the running worker reported; None when none runs."""
        with self._lock:
            return self._info if self.alive() else None

    def alive(self) -> bool:
        with self._lock:
            return self._process is not None and self._process.poll() is None

    def exit_description(self) -> str | None:
        """How the current process ended (``Signal SIGSEGV``), or None while it runs."""
        with self._lock:
            if self._process is None:
                return self.last_exit
            code = self._process.poll()
            return None if code is None else _signal_name(code)

    def ended_within(self, seconds: float) -> bool:
        """Whether the worker process has ended, waiting up to ``seconds`` for it to do so
        (a process whose socket just closed may not have been reaped yet)."""
        with self._lock:
            process = self._process
        return process is None or _wait(process, seconds)

    def restart_in_background(self) -> None:
        """Start a new worker now, without waiting for it (after a crash: the next request
        should not pay for the start). A failure is logged; the next request reports it."""

        def restart() -> None:
            try:
                with self._lock:
                    if not self._stopping:
                        self._ensure_running()
            except LLMError as err:
                log.error("Neustart des Sprachmodells gescheitert: %s", err)

        threading.Thread(target=restart, name="model-worker-restart", daemon=True).start()

    def ensure_running(self) -> WorkerInfo:
        """The running worker, started (or restarted after a crash or kill) if need be.

        Raises:
            LLMError: the model file is missing, or the worker could not start (German).
        """
        with self._lock:
            self._stopping = False
            return self._ensure_running()

    def _ensure_running(self) -> WorkerInfo:
        if self._info is not None and self.alive():
            return self._info
        self._reap()
        path = self._model_file()
        if not path.is_file():
            raise LLMError(f"Die Modelldatei {path} wurde nicht gefunden.")
        self._info = self._start(path)
        return self._info

    def healthy(self, timeout: float = 5.0) -> bool:
        """Whether the running worker answers ``GET /v1/models`` within ``timeout`` seconds
        (asked only while no request runs, e.g. after the worker sat idle)."""
        info = self.info
        return info is not None and _answers(info.base_url, self._key, timeout)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """End the worker now (after a hang); the next :meth:`ensure_running` starts anew."""
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                log.info("Sprachmodell-Prozess %s wird beendet (hängt)", process.pid)
                process.send_signal(sig)
                _wait(process, 30)
            self._reap()

    def stop(self) -> None:
        """End the worker politely (SIGTERM, then SIGKILL after 5 s) and clean up; a restart
        in the background (after a crash) is abandoned. A later :meth:`ensure_running`
        starts a worker again."""
        self._stopping = True  # read by a start in progress, which holds the lock
        with self._lock:
            self._terminate()

    def _terminate(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            if not _wait(process, 5):
                process.kill()
                _wait(process, 30)
        self._reap()

    # --- internals -----------------------------------------------------------------------

    def _reap(self) -> None:
        """Forget an ended process (remember how it ended) and remove its private files."""
        if self._process is not None:
            code = self._process.poll()
            if code is not None:
                self.last_exit = _signal_name(code)
                if code != 0 and code != -signal.SIGTERM:
                    pid = self._process.pid
                    log.info("Sprachmodell-Prozess %s beendet: %s", pid, self.last_exit)
                    self._log_tail()
                self._process = None
                self._info = None
        if self._process is None and self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _log_tail(self) -> None:
        """The last lines the worker wrote to stderr (llama.cpp's own messages), at DEBUG."""
        if self._dir is None:
            return
        try:
            text = (self._dir / "worker.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for line in text.splitlines()[-20:]:
            log.debug("worker: %s", line)

    def _config(self, path: Path) -> dict[str, Any]:
        conf = self.settings
        threads = conf.n_threads or _usable_cpus()
        return {
            "host": "127.0.0.1",
            "port": 0,
            "api_key": self._key,
            "interrupt_requests": False,  # a second caller waits; it never cuts off the first
            "disable_ping_events": True,  # so a silent stream is a stalled stream
            "models": [
                {
                    "model": str(path),
                    "model_alias": MODEL_ALIAS,
                    "n_ctx": conf.n_ctx,
                    "n_batch": conf.n_batch,
                    "n_threads": threads,
                    "n_threads_batch": threads,
                    "flash_attn": conf.flash_attn,
                    "seed": conf.seed,
                    # the server's default keeps the logits of every prompt token: slower
                    # prompt reading and n_ctx x vocabulary floats (5 GB) of memory
                    "logits_all": False,
                    "verbose": False,
                }
            ],
        }

    def _start(self, path: Path) -> WorkerInfo:
        started = time.perf_counter()
        try:
            process = self._spawn(path)
        except OSError as err:
            self._terminate()
            raise LLMError(
                f"Das Sprachmodell konnte nicht gestartet werden ({err.strerror or err})."
            ) from err
        try:
            info = self._await_ready(process, started)
        except LLMError:
            self._terminate()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()  # the worker writes nothing more there
        log.info(
            "Sprachmodell-Prozess %s bereit in %.1f s (%s)",
            info.pid,
            info.load_seconds,
            ", ".join(info.cpu_features()),
        )
        return info

    def _spawn(self, path: Path) -> subprocess.Popen[bytes]:
        """Write the private config (0600, in a 0700 directory) and start the worker."""
        self._dir = Path(tempfile.mkdtemp(prefix="vorlagen-worker-"))
        self._key = secrets.token_urlsafe(32)
        config = self._dir / "config.json"
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self._config(path.resolve()), out)
        env = {k: v for k, v in os.environ.items() if k != "CONFIG_FILE"}  # llama's override
        env["VORLAGEN_WORKER_PARENT"] = str(os.getpid())
        with open(self._dir / "worker.log", "wb") as errors:
            self._process = subprocess.Popen(
                # -P: the working directory is not put on sys.path (no planted modules)
                [self._python, "-P", "-m", "assistant.model_worker_main", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, not the worker
            )
        self.starts += 1
        return self._process

    def _deadline_left(self, started: float) -> float:
        return self.settings.start_timeout_s - (time.perf_counter() - started)

    def _await_ready(self, process: subprocess.Popen[bytes], started: float) -> WorkerInfo:
        assert process.stdout is not None
        lines = _Lines(process.stdout.fileno())
        port_text = self._read_line(process, lines, "PORT", started)
        if not port_text.isdigit():
            raise self._start_failure("meldet keinen Port")
        port = int(port_text)
        system = self._read_line(process, lines, "SYSTEM", started)
        base_url = f"http://127.0.0.1:{port}/v1"
        while True:
            self._check_alive(process)
            if self._stopping:
                raise LLMError("Das Sprachmodell wird beendet.")
            if _answers(base_url, self._key, 5.0):
                break
            if self._deadline_left(started) <= 0:
                raise self._start_failure("antwortet nicht")
            time.sleep(0.1)
        return WorkerInfo(process.pid, base_url, system, time.perf_counter() - started)

    def _read_line(
        self, process: subprocess.Popen[bytes], lines: _Lines, tag: str, started: float
    ) -> str:
        """The value of the worker's next ``TAG value`` line on stdout."""
        while True:
            self._check_alive(process)
            left = self._deadline_left(started)
            if left <= 0:
                raise self._start_failure("antwortet nicht")
            line = lines.next(min(left, 0.5))
            if line is None:
                continue
            if line.startswith(tag + " "):
                return line[len(tag) + 1 :]
            if lines.closed:
                self._check_alive(process, wait=True)

    def _check_alive(self, process: subprocess.Popen[bytes], *, wait: bool = False) -> None:
        if wait:
            _wait(process, 5)
        code = process.poll()
        if code == EXIT_NO_CPU_BACKEND:
            raise LLMError(
                "Der Prozessor dieses Rechners hat kein AVX2; das mitgelieferte Sprachmodell "
                'läuft hier nicht (ein Modellserver mit llm.backend = "openai" schon).'
            )
        if code is not None:
            raise self._start_failure(f"ist beim Start beendet worden ({_signal_name(code)})")

    def _start_failure(self, what: str) -> LLMError:
        self._log_tail()
        return LLMError(
            f"Das Sprachmodell konnte nicht gestartet werden: der Modellprozess {what}; "
            "Einzelheiten mit VORLAGEN_LOG_LEVEL=DEBUG."
        )
