"""The clerks' page in a real browser against the real app.

The app is built exactly as in ``tests/api/test_app.py`` (a real Chroma and BM25 store of
Karlsruhe papers, the draft archive in SQLite, the scripted ``EchoChat`` as the chat model
through the container) and served by uvicorn on a free loopback port in a thread; Debian's
Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) is driven by Playwright for
Python. ``playwright install`` is never used. axe-core is vendored in ``vendor/`` (pinned,
with its licence) and injected into the page by the tests.

Every page records the URLs it requests; ``foreign_requests`` lists those that did not go
to the app. Screenshots go to ``test-artifacts/`` in the repository root.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher

from tests.api.test_app import (  # noqa: F401 (store_dir is a fixture)
    EchoChat,
    _server,
    store_dir,
)

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
USER = "Jörg Müller"
PASSWORD = "ein-langes-passwort"

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's Chromium is missing (/usr/bin/chromium): apt-get install -y chromium "
        "(.ci/run installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import (  # noqa: E402 (after the skip)
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

# Assertions wait as long as actions do: Playwright's 5 s default failed a cancel test once
# while the machine's two cores were busy, and CI runs beside the model tests.
expect.set_options(timeout=15_000)


@dataclass
class LiveApp:
    """The app served over HTTP: its base URL and the fake chat model (``gate``)."""

    url: str
    chat: EchoChat


@dataclass
class RecordedPage:
    """A browser page, every URL it requested and every error its scripts threw."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        own = (self.base + "/", "blob:" + self.base + "/")
        return [url for url in self.requests if not url.startswith(own)]

    def assert_clean(self) -> None:
        """Only the app was asked for anything, no script failed, and the page's
        Content-Security-Policy refused nothing."""
        assert self.foreign_requests() == []
        assert self.script_errors == []


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def serve(store_dir: Path, tmp_path: Path) -> Iterator[Callable[..., LiveApp]]:  # noqa: F811
    """``serve(store=…, **server_settings)``: the app over HTTP (stopped after the test), on
    the module's store unless another one is named."""
    started: list[LiveApp] = []
    with ExitStack() as stack:

        def start(store: Path | None = None, **server: Any) -> LiveApp:
            data = tmp_path / f"app{len(started)}"
            data.mkdir()
            built = _server(store or store_dir, data, **server)
            started.append(LiveApp(stack.enter_context(served(built.app)), built.chat))
            return started[-1]

        yield start


@pytest.fixture
def live(serve: Callable[..., LiveApp]) -> LiveApp:
    """The app in local mode (no keys, no users)."""
    return serve()


@pytest.fixture
def live_login(serve: Callable[..., LiveApp]) -> LiveApp:
    """The app with one user (login required)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users = [{"name": USER, "password_hash": hasher.hash(PASSWORD), "rights": []}]
    return serve(users=users, session_secret="s" * 40)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    yield launched
    launched.close()


def open_page(browser: Browser, base: str, width: int = 1280, height: int = 900) -> RecordedPage:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="de-DE", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    recorded = RecordedPage(page, base)
    page.on("request", lambda request: recorded.requests.append(request.url))
    page.on("pageerror", lambda error: recorded.script_errors.append(str(error)))
    page.on("console", lambda message: _note_refusal(recorded, message))
    return recorded


@pytest.fixture
def page_of(browser: Browser) -> Iterator[Any]:
    """``page_of(live.url)``: the app's page ``/`` in a fresh browser context (closed after
    the test)."""
    opened: list[RecordedPage] = []

    def make(base: str, width: int = 1280, height: int = 900) -> RecordedPage:
        recorded = open_page(browser, base, width, height)
        opened.append(recorded)
        recorded.page.goto(base + "/")
        return recorded

    yield make
    for recorded in opened:
        recorded.page.context.close()


def _note_refusal(recorded: RecordedPage, message: ConsoleMessage) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        recorded.script_errors.append(message.text)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is (injected once per document).

    The page's Content-Security-Policy refuses inline scripts, so axe is not added as a
    ``<script>`` (``add_script_tag``) but evaluated through the DevTools protocol, which the
    policy does not govern; the page itself is tested under its real policy."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )
    return result


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
