"""OParl 1.0/1.1 API client: walks a council system and yields each Paper's Vorlage text.

Modules: this one (the entry points and the pipeline adapter), ``oparl_http`` (the HTTP
client with retries and limits), ``oparl_state`` (the state file), ``oparl_walker`` (the walk),
``oparl_paper_text`` (one Paper's Vorlage text: its files, downloaded and read) and
``oparl_items`` (pure helpers for lists, items, URLs and files).

Entry points: ``sync_papers(url, state_path, ...)`` yields ``(paper_url, RawDocument |
IngestError)``; a paper that fails is yielded as its ``IngestError`` (one German sentence) and
the walk goes on. ``OParlSync`` is the same walk with the state written only on ``commit()``
(for callers that collect papers before storing them), and ``oparl_documents`` wraps the
results as ``ingest.documents.Document`` objects (``OParlDocument``).

The walk
    ``url`` is a System (``/`` of an OParl server) or a single Body. System -> ``body`` (a URL
    to a paginated list, or embedded objects, or URL strings) -> each Body's ``paper`` list,
    page by page (``links.next``; without it a ``pagination`` block with ``currentPage`` /
    ``totalPages`` and a ``page`` parameter; 1.0-draft ``next``/``nextPage`` and ``items``).
    The first walk of a Body reads every paper; later walks ask only for papers changed since
    the last complete walk (the ``modified_since`` parameter of the OParl specification).

The Vorlage text of a Paper
    The ``mainFile`` (by the specification the document the Paper is about); without one (as
    Karlsruhe and others serve it), the ``auxiliaryFile`` entries, those whose name looks like
    an attachment ("Anlage", "Lageplan", "Protokoll", ...) last, at most
    ``SyncLimits.max_candidates`` of them, the first that yields text wins. A File's ``text``
    field is used when it holds text; otherwise ``accessUrl`` (then ``downloadUrl``) is
    downloaded, at most ``max_download_mb``, and read as PDF (``ingest.sources.pdf``, in its
    resource-limited child process), DOCX, HTML or plain text, by content first, then by the
    declared type. On the 1,023 Karlsruhe papers (no ``mainFile``) the ranking puts the Vorlage
    first for 1,001 of them.

HTTP
    httpx, one client, a User-Agent, a timeout per request; 429, 500, 502, 503, 504 and
    connection errors are retried up to ``max_retries`` times with exponential backoff
    (``backoff_s * 2**attempt``), honouring ``Retry-After`` (seconds or HTTP date), each wait
    capped at ``max_backoff_s``. Only http and https URLs are followed.

Where it stopped (the state file, JSON, written atomically: temp file + ``os.replace``)
    Per Body: ``mark``, the ``modified_since`` value for the next walk, and ``walk``, the walk
    in progress: the page to read next and the papers of that page already handed out. With
    ``sync_papers`` a paper counts as done when the caller asks for the next one
    (at-least-once: the paper in the caller's hands when it stops or crashes comes again on
    the next run, all others do not); with ``OParlSync(auto_commit=False)`` when the caller
    calls ``commit()`` after it. When a walk completes, ``mark`` becomes the server's
    ``Date`` at the walk's first page minus one second (papers changed during the walk, or in
    that second, are thus read again next time); a server without a ``Date`` header gives the
    greatest ``modified`` seen instead. Papers older than the walk's ``modified_since`` are
    also skipped on this side, for servers that ignore the parameter. Papers marked
    ``deleted`` are skipped (and counted).

Vendor quirks tolerated (besides those of ``ingest.sources.oparl``): an object where an array
is expected (also PHP's id-keyed objects), "N/A" and similar strings, missing fields, relative
URLs, lists without ``links``, list items given as URL strings or as stubs without fields
(fetched), paper list items without ``modified``, a ``next`` link pointing back to a page
already read (the walk ends there).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.schema import Vorlage
from ingest.errors import IngestError
from ingest.parse import parse_raw
from ingest.sources.base import RawDocument
from ingest.sources.oparl_http import USER_AGENT, Http, SyncLimits, _retry_after
from ingest.sources.oparl_items import _parse_page, vorlage_candidates
from ingest.sources.oparl_state import SyncState
from ingest.sources.oparl_walker import ProgressCallback, Result, SyncProgress, Walker

__all__ = [
    "USER_AGENT",
    "OParlDocument",
    "OParlSync",
    "ProgressCallback",
    "Result",
    "SyncLimits",
    "SyncProgress",
    "_parse_page",
    "_retry_after",
    "oparl_documents",
    "sync_papers",
    "vorlage_candidates",
]


def sync_papers(
    url: str,
    state_path: Path,
    *,
    limits: SyncLimits | None = None,
    client: httpx.Client | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Generator[Result, None, None]:
    """Walk the OParl system (or Body) at ``url``; yield ``(paper_url, RawDocument | error)``.

    ``state_path`` remembers where the walk stopped (see the module docstring); a paper counts
    as done when the caller asks for the next one. A second run resumes there or, after a
    complete walk, reads only papers changed since. ``client`` (not closed here) or
    ``transport`` (for tests) replace the default httpx client. Raises ``IngestError`` only
    when ``url`` itself cannot be read or is no OParl System or Body, or the state file is
    damaged; everything below is yielded. A caller that collects papers before storing them
    uses ``OParlSync`` and calls ``commit()`` once they are stored.
    """
    sync = OParlSync(
        url,
        state_path,
        limits=limits,
        client=client,
        transport=transport,
        progress=progress,
        sleep=sleep,
        auto_commit=True,
    )
    yield from sync.papers()


class OParlSync:
    """One sync run; with ``auto_commit=False`` the state file changes only on ``commit()``.

    ``commit()`` records every paper handed out so far, except the one the caller holds while
    the generator is suspended (it comes again: at-least-once). A pipeline that first collects
    the papers and then stores them in batches calls ``commit()`` after storing; a crash before
    that repeats the walk from the last commit, and the idempotent pipeline skips what it has.
    """

    def __init__(
        self,
        url: str,
        state_path: Path,
        *,
        limits: SyncLimits | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        progress: ProgressCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
        auto_commit: bool = False,
    ) -> None:
        self.url = url
        self.limits = limits or SyncLimits()
        self.state = SyncState.load(Path(state_path), deferred=not auto_commit)
        self._client = client
        self._transport = transport
        self._progress = progress
        self._sleep = sleep

    def papers(self) -> Generator[Result, None, None]:
        """The walk (see ``sync_papers``); the state file advances as configured."""
        own = self._client is None
        http_client = self._client or httpx.Client(
            transport=self._transport, follow_redirects=True, timeout=self.limits.timeout_s
        )
        try:
            walker = Walker(
                Http(http_client, self.limits, self._sleep),
                self.state,
                self.limits,
                self._progress,
            )
            yield from walker.run(self.url)
        finally:
            if own:
                http_client.close()

    def commit(self) -> None:
        """Write the state: the papers handed out so far count as stored."""
        self.state.flush()


# ---------------------------------------------------------------------------------------------
# Adapter for ingest.pipeline


@dataclass(frozen=True)
class OParlDocument:
    """A synced paper as an ``ingest.documents.Document`` (key: the Paper's URL)."""

    key: str
    raw: RawDocument | IngestError
    parser: Callable[[RawDocument], Vorlage] = parse_raw

    def content_hash(self) -> str:
        """sha256 of the Vorlage text and the Paper's metadata; raises the paper's error."""
        if isinstance(self.raw, IngestError):
            raise self.raw
        digest = hashlib.sha256(self.raw.text.encode("utf-8", "replace"))
        digest.update(repr(self.raw.hints).encode("utf-8", "replace"))
        return digest.hexdigest()

    def parse(self) -> Vorlage:
        if isinstance(self.raw, IngestError):
            raise self.raw
        return self.parser(self.raw)


def oparl_documents(
    results: Iterable[Result], parser: Callable[[RawDocument], Vorlage] = parse_raw
) -> Iterator[OParlDocument]:
    """``sync_papers`` / ``OParlSync.papers()`` results as pipeline documents."""
    for key, raw in results:
        yield OParlDocument(key, raw, parser)
