"""Request timeouts: a request whose answer has not started after ``server.request_timeout_s``
is cancelled and answered 504 with a German JSON body.

The clock stops when the answer starts (``http.response.start``): a response that is being
sent is never cut, and an event stream, once it runs, may last as long as its job. Exempt from
the start, because they wait for the model by design (minutes with the bundled model):

* the event streams: ``POST /api/drafts/stream``, ``GET /api/drafts/{id}/events``,
  ``GET /api/summaries/{id}/events``, and any
  request that asks for ``text/event-stream``;
* ``POST /api/drafts``, which answers when the draft is finished (clients should use the
  stream; a client that gives up finds the job with ``GET /api/drafts/{id}``);
* ``POST /api/ingest``, which embeds up to 100 uploaded files (minutes on 2 cores); cancelling
  it would not stop the ingestion thread, only hide its result.

Cancelling a request cancels the route's coroutine; work it handed to a thread finishes in the
background (the draft jobs and the search are not stopped by it).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable

import anyio
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["TIMED_OUT", "RequestTimeout", "exempt"]

log = logging.getLogger("vorlagen.http")

TIMED_OUT = (
    "Die Anfrage hat zu lange gedauert (mehr als {seconds} Sekunden); bitte später erneut "
    "versuchen."
)
EVENT_STREAM = "text/event-stream"
_EVENTS_PATH = re.compile(r"^/api/(?:drafts|summaries)/[^/]+/events$")
_WAITING_POSTS = frozenset({"/api/drafts", "/api/drafts/stream", "/api/ingest"})


def exempt(scope: Scope) -> bool:
    """Requests that wait for the model (or ingest) by design, and event streams."""
    path: str = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    path = path.rstrip("/") or "/"
    if scope.get("method") == "POST" and path in _WAITING_POSTS:
        return True
    if _EVENTS_PATH.match(path):
        return True
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return EVENT_STREAM.encode() in accept.lower()


class RequestTimeout:
    """ASGI middleware: 504 (German JSON) when a request's answer does not start within
    ``timeout_s``; ``is_exempt`` decides which requests it leaves alone."""

    def __init__(
        self,
        app: ASGIApp,
        timeout_s: float,
        is_exempt: Callable[[Scope], bool] = exempt,
    ) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.is_exempt = is_exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.is_exempt(scope):
            await self.app(scope, receive, send)
            return
        started = False
        with anyio.CancelScope(deadline=anyio.current_time() + self.timeout_s) as cancel:

            async def watching_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                    cancel.deadline = math.inf  # answering now: never cut a response
                await send(message)

            await self.app(scope, receive, watching_send)
        if cancel.cancelled_caught and not started:
            log.warning(
                "Zeitüberschreitung nach %s s bei %s %s",
                self.timeout_s,
                scope.get("method"),
                scope.get("path"),
            )
            await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = TIMED_OUT.format(seconds=f"{self.timeout_s:g}")
        await JSONResponse({"detail": detail}, status_code=504)(scope, receive, send)
