"""OParl 1.0/1.1 API client: walks a council system and yields each Paper's Vorlage text.

Entry points: ``sync_papers(url, state_path, ...)`` yields ``(paper_url, RawDocument |
IngestError)``; a paper that fails is yielded as its ``IngestError`` (one German sentence) and
the walk goes on. ``OParlSync`` is the same walk with the state written only on ``commit()``
(for callers that collect papers before storing them), and ``oparl_documents`` wraps the
results as ``ingest.pipeline.Document`` objects (``OParlDocument``).

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

import contextlib
import email.utils
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from assistant.schema import Vorlage
from ingest.errors import IngestError
from ingest.parse import parse_raw
from ingest.sources.base import RawDocument
from ingest.sources.oparl import _many, _text, _value, is_oparl_paper, paper_hints

__all__ = [
    "USER_AGENT",
    "OParlDocument",
    "OParlSync",
    "ProgressCallback",
    "SyncLimits",
    "SyncProgress",
    "oparl_documents",
    "sync_papers",
]

logger = logging.getLogger(__name__)

USER_AGENT = "Vorlagen-Assistent/0.1 (OParl-Sync; +https://oparl.org)"
STATE_VERSION = 1
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MIN_TEXT_CHARS = 20
"""A File ``text`` or downloaded file with fewer letters and digits than this holds no text."""

_ATTACHMENT = re.compile(
    r"anla?ge|anlge|anhang|karte|lageplan|plan\b|planzeichnung|übersicht|foto|präsentation|"
    r"stellungn|protokoll|abstimmung|auszug|\$nk|broschüre|broschuere|gutachten|synopse|"
    r"gegenüberstellung|tabelle|\.xlsx?\b",
    re.IGNORECASE,
)
_VORLAGE = re.compile(r"vorlage|vorl_|beschluss", re.IGNORECASE)
_SAFE_NAME = re.compile(r"[^\w.\-]+")


# ---------------------------------------------------------------------------------------------
# Public types


@dataclass(frozen=True)
class SyncLimits:
    """Limits of one sync run (the wiring point builds them from settings)."""

    timeout_s: float = 30.0
    max_retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    max_download_mb: float = 50.0
    max_candidates: int = 5
    """Auxiliary files tried per paper when it has no ``mainFile``."""
    page_size: int | None = None
    """Sent as OParl's ``limit`` parameter (a hint servers may ignore); ``None``: not sent."""
    pdf_timeout_s: float = 60.0
    pdf_memory_mb: int = 1024
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class SyncProgress:
    """Where a run stands; handed to the progress callback after each page and paper."""

    body: str
    page: int
    yielded: int
    failed: int
    skipped: int
    total: int | None
    """``pagination.totalElements`` of the current list, when the server states it."""


ProgressCallback = Callable[[SyncProgress], None]
Result = tuple[str, RawDocument | IngestError]


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
            walker = _Walker(
                _Http(http_client, self.limits, self._sleep),
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
# State


@dataclass
class _Walk:
    page: str
    since: str | None = None
    started: str | None = None
    max_modified: str | None = None
    done: list[str] = field(default_factory=list)


@dataclass
class _BodyState:
    mark: str | None = None
    walk: _Walk | None = None
    retry: list[str] = field(default_factory=list)
    """Papers that failed (unreachable file, server error): fetched again on every new walk
    until they succeed, because an incremental walk would not list them again."""


class SyncState:
    """The JSON state file: per Body the ``modified_since`` mark and the walk in progress."""

    def __init__(
        self, path: Path, bodies: dict[str, _BodyState] | None = None, *, deferred: bool = False
    ) -> None:
        self.path = path
        self.bodies: dict[str, _BodyState] = bodies or {}
        self.deferred = deferred
        """``save()`` only marks the state dirty; ``flush()`` writes it."""
        self.dirty = False

    @classmethod
    def load(cls, path: Path, *, deferred: bool = False) -> SyncState:
        if not path.exists():
            return cls(path, deferred=deferred)
        try:
            data = json.loads(path.read_text("utf-8"))
            bodies = {
                key: _BodyState(
                    mark=entry.get("mark"),
                    walk=_Walk(**entry["walk"]) if entry.get("walk") else None,
                    retry=list(entry.get("retry") or []),
                )
                for key, entry in data["bodies"].items()
            }
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"state version {data.get('version')}")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise IngestError(
                f"Die OParl-Statusdatei {path} ist beschädigt oder unlesbar; löschen Sie sie, "
                "um wieder vollständig zu synchronisieren."
            ) from err
        return cls(path, bodies, deferred=deferred)

    def body(self, key: str) -> _BodyState:
        return self.bodies.setdefault(key, _BodyState())

    def save(self) -> None:
        """Write the state now, or mark it for the next ``flush()`` when deferred."""
        self.dirty = True
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        """Write the state atomically (temp file + ``os.replace``) if it changed."""
        if not self.dirty:
            return
        self.dirty = False
        data = {
            "version": STATE_VERSION,
            "bodies": {
                key: {
                    "mark": entry.mark,
                    "walk": None if entry.walk is None else entry.walk.__dict__,
                    "retry": entry.retry,
                }
                for key, entry in self.bodies.items()
            },
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


# ---------------------------------------------------------------------------------------------
# HTTP with retries


class _Http:
    def __init__(
        self, client: httpx.Client, limits: SyncLimits, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.limits = limits
        self.sleep = sleep
        self.headers = {"User-Agent": limits.user_agent}

    def get_json(self, url: str) -> tuple[Any, httpx.Response]:
        body, response = self.fetch(url, accept="application/json")
        try:
            return json.loads(body), response
        except (ValueError, UnicodeDecodeError) as err:
            raise IngestError(
                f"Der OParl-Server hat unter {url} kein gültiges JSON geliefert."
            ) from err

    def fetch(self, url: str, accept: str = "*/*") -> tuple[bytes, httpx.Response]:
        """GET ``url`` with retries; the body (at most ``max_download_mb``) and the response."""
        headers = {**self.headers, "Accept": accept}
        attempts = self.limits.max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                request = self.client.build_request(
                    "GET", url, headers=headers, timeout=self.limits.timeout_s
                )
                response = self.client.send(request, stream=True, follow_redirects=True)
                try:
                    if response.status_code in RETRY_STATUS and not last:
                        delay = _retry_after(response) or self._backoff(attempt)
                        logger.info(
                            "HTTP %s for %s, retry in %.1f s", response.status_code, url, delay
                        )
                        self.sleep(min(delay, self.limits.max_backoff_s))
                        continue
                    if response.status_code >= 400:
                        raise IngestError(
                            f"Der Server hat die Anfrage nach {url} mit dem HTTP-Status "
                            f"{response.status_code} beantwortet."
                        )
                    return self._read(response, url), response
                finally:
                    response.close()
            except httpx.TransportError as err:
                if last:
                    kind = (
                        "Zeitüberschreitung"
                        if isinstance(err, httpx.TimeoutException)
                        else "Verbindungsfehler"
                    )
                    raise IngestError(
                        f"Der Server für {url} ist nach {attempts} Versuchen nicht erreichbar "
                        f"({kind})."
                    ) from err
                logger.info("%s for %s, retrying", type(err).__name__, url)
                self.sleep(self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return float(min(self.limits.backoff_s * 2**attempt, self.limits.max_backoff_s))

    def _read(self, response: httpx.Response, url: str) -> bytes:
        limit = int(self.limits.max_download_mb * 1024 * 1024)
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise self._too_big(url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise self._too_big(url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self, url: str) -> IngestError:
        mb = f"{self.limits.max_download_mb:g}".replace(".", ",")
        return IngestError(f"Die Datei {url} ist größer als die erlaubten {mb} MB.")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# ---------------------------------------------------------------------------------------------
# The walk


class _Walker:
    def __init__(
        self,
        http: _Http,
        state: SyncState,
        limits: SyncLimits,
        progress: ProgressCallback | None,
    ) -> None:
        self.http = http
        self.state = state
        self.limits = limits
        self.progress = progress

    def run(self, url: str) -> Iterator[Result]:
        start = _absolute(url, url)
        if start is None:
            raise IngestError(f"„{url}“ ist keine http- oder https-Adresse eines OParl-Servers.")
        url = start
        data, response = self.http.get_json(url)
        base = str(response.url)
        kind = _kind(data)
        if kind == "body":
            bodies: list[tuple[Mapping[str, Any], str]] = [(data, base)]
        elif kind == "system":
            bodies = []
            for item in self._bodies(data, base):
                if isinstance(item, IngestError):
                    yield base, item
                else:
                    bodies.append(item)
        else:
            raise IngestError(
                f"Unter {url} antwortet kein OParl-System (erwartet: ein System- oder Body-Objekt)."
            )
        for body, body_base in bodies:
            yield from self._walk_body(body, body_base)

    # -- bodies --------------------------------------------------------------------------------

    def _bodies(
        self, system: Mapping[str, Any], base: str
    ) -> Iterator[tuple[Mapping[str, Any], str] | IngestError]:
        raw = _value(system.get("body"))
        if isinstance(raw, str):
            items: list[tuple[object, str]] = []
            page_url = _absolute(raw, base)
            visited: set[str] = set()
            while page_url and page_url not in visited:
                visited.add(page_url)
                try:
                    data, response = self.http.get_json(page_url)
                except IngestError as err:
                    yield err
                    return
                page = _parse_page(data, str(response.url))
                items.extend((item, str(response.url)) for item in page.items)
                page_url = page.next
        else:
            items = [(item, base) for item in _items(raw)]
        for item, item_base in items:
            yield from self._body(item, item_base)

    def _body(
        self, item: object, base: str
    ) -> Iterator[tuple[Mapping[str, Any], str] | IngestError]:
        if isinstance(item, Mapping) and _value(item.get("paper")) is not None:
            yield item, base
            return
        ref = item.get("id") if isinstance(item, Mapping) else item
        url = _absolute(ref, base)
        if url is None:
            return
        try:
            data, response = self.http.get_json(url)
        except IngestError as err:
            yield err
            return
        if isinstance(data, Mapping):
            yield data, str(response.url)

    # -- one body's paper list ------------------------------------------------------------------

    def _walk_body(self, body: Mapping[str, Any], base: str) -> Iterator[Result]:
        key = _absolute(body.get("id"), base) or base
        name = _text(body.get("name")) or _text(body.get("shortName"))
        entry = self.state.body(key)
        if entry.walk is None and entry.retry:
            yield from self._retry(entry, name)
        if entry.walk is None:
            list_url = _absolute(_first(body.get("paper")), base)
            if list_url is None:
                yield (
                    key,
                    IngestError(
                        f"Die Körperschaft {name or key} nennt keine Liste der Vorlagen (paper)."
                    ),
                )
                return
            entry.walk = _Walk(page=_list_url(list_url, entry.mark, self.limits), since=entry.mark)
        walk = entry.walk
        counts = _Counts(body=name or key)
        visited: set[str] = set()
        while True:
            visited.add(walk.page)
            try:
                data, response = self.http.get_json(walk.page)
                page = _parse_page(data, str(response.url))
            except IngestError as err:
                counts.failed += 1
                yield walk.page, err
                return
            if walk.started is None:
                walk.started = _server_time(response)
            counts.page += 1
            counts.total = page.total
            self._report(counts)
            yield from self._page_items(page, walk, counts, name, entry.retry)
            if page.next is None or page.next in visited:
                entry.mark = walk.started or walk.max_modified or walk.since
                entry.walk = None
                self.state.save()
                return
            walk.page, walk.done = page.next, []
            self.state.save()

    def _page_items(
        self,
        page: _Page,
        walk: _Walk,
        counts: _Counts,
        body_name: str | None,
        retry: list[str],
    ) -> Iterator[Result]:
        since = _datetime(walk.since)
        for index, item in enumerate(page.items):
            paper: object = item
            if isinstance(item, Mapping) and is_oparl_paper(item):
                pid = _absolute(item.get("id"), page.url) or f"{page.url}#{index}"
            else:
                ref = item.get("id") if isinstance(item, Mapping) else item
                ref_url = _absolute(ref, page.url)
                if ref_url is None:
                    continue
                pid = ref_url
                if pid in walk.done:
                    continue
                try:
                    paper, _ = self.http.get_json(pid)
                except IngestError as err:
                    counts.failed += 1
                    _remember(retry, pid)
                    yield pid, err
                    self._done(walk, pid, None)
                    continue
            if pid in walk.done:
                continue
            if not isinstance(paper, Mapping) or not is_oparl_paper(paper):
                counts.failed += 1
                yield (
                    pid,
                    IngestError(f"Unter {pid} liefert der OParl-Server keine Vorlage (Paper)."),
                )
                self._done(walk, pid, None)
                continue
            modified = _text(paper.get("modified"))
            changed = _datetime(modified)
            if paper.get("deleted") is True or (since and changed and changed < since):
                counts.skipped += 1
                walk.done.append(pid)
                continue
            result = self._document(paper, pid, body_name)
            if isinstance(result, IngestError):
                counts.failed += 1
                _remember(retry, pid)
            else:
                counts.yielded += 1
            yield pid, result
            self._done(walk, pid, modified)
            self._report(counts)

    def _retry(self, entry: _BodyState, body_name: str | None) -> Iterator[Result]:
        """Papers that failed in an earlier walk, before the new walk starts."""
        for pid in list(entry.retry):
            try:
                paper, _ = self.http.get_json(pid)
            except IngestError as err:
                yield pid, err
                continue
            if not isinstance(paper, Mapping) or not is_oparl_paper(paper):
                entry.retry.remove(pid)  # gone for good: nothing left to retry
                self.state.save()
                continue
            result = self._document(paper, pid, body_name)
            yield pid, result
            if not isinstance(result, IngestError):
                entry.retry.remove(pid)
                self.state.save()

    def _done(self, walk: _Walk, pid: str, modified: str | None) -> None:
        walk.done.append(pid)
        changed = _datetime(modified)
        if changed and (
            walk.max_modified is None or changed > (_datetime(walk.max_modified) or changed)
        ):
            walk.max_modified = modified
        self.state.save()

    def _report(self, counts: _Counts) -> None:
        if self.progress is not None:
            self.progress(
                SyncProgress(
                    body=counts.body,
                    page=counts.page,
                    yielded=counts.yielded,
                    failed=counts.failed,
                    skipped=counts.skipped,
                    total=counts.total,
                )
            )

    # -- one paper ------------------------------------------------------------------------------

    def _document(
        self, paper: Mapping[str, Any], pid: str, body_name: str | None
    ) -> RawDocument | IngestError:
        label = _text(paper.get("reference")) or _text(paper.get("name")) or pid
        try:
            hints = paper_hints(paper)
            if hints.kommune is None and body_name:
                hints = replace(hints, kommune=body_name)
            text = self._vorlage_text(paper, pid, label)
        except IngestError as err:
            return err
        except Exception as err:  # one paper must never stop the run
            logger.exception("reading paper %s failed", pid)
            return IngestError(
                f"Die Vorlage {label} konnte wegen eines unerwarteten Fehlers nicht gelesen "
                f"werden ({type(err).__name__})."
            )
        return RawDocument(text=text, system="oparl", path=pid, hints=hints)

    def _vorlage_text(self, paper: Mapping[str, Any], pid: str, label: str) -> str:
        candidates = vorlage_candidates(paper)[: self.limits.max_candidates]
        if not candidates:
            raise IngestError(f"Die Vorlage {label} hat keine Datei mit dem Vorlagentext.")
        errors: list[IngestError] = []
        for file in candidates:
            try:
                return self._file_text(file, pid)
            except IngestError as err:
                errors.append(err)
        if len(errors) == 1:
            raise IngestError(f"Vorlage {label}: {errors[0]}")
        first = str(errors[0]).rstrip(".")
        raise IngestError(
            f"Aus keiner der {len(errors)} Dateien der Vorlage {label} ließ sich ein Text lesen "
            f"(zuerst: {first})."
        )

    def _file_text(self, file: object, base: str) -> str:
        if not isinstance(file, Mapping) or all(
            _value(file.get(key)) is None for key in ("text", "accessUrl", "downloadUrl")
        ):
            ref = file.get("id") if isinstance(file, Mapping) else file
            url = _absolute(ref, base)
            if url is None:
                raise IngestError("Eine Datei der Vorlage hat keine gültige Adresse.")
            file, response = self.http.get_json(url)
            base = str(response.url)
            if not isinstance(file, Mapping):
                raise IngestError(f"Unter {url} liefert der OParl-Server kein File-Objekt.")
        text = _value(file.get("text"))
        if isinstance(text, str) and _alnum(text) >= MIN_TEXT_CHARS:
            return text
        urls = [
            u
            for key in ("accessUrl", "downloadUrl")
            if (u := _absolute(_first(file.get(key)), base)) is not None
        ]
        if not urls:
            name = _text(file.get("name")) or _text(file.get("fileName")) or "ohne Namen"
            raise IngestError(f"Die Datei {name} hat weder Text noch eine Download-Adresse.")
        error: IngestError | None = None
        for url in dict.fromkeys(urls):
            try:
                data, response = self.http.fetch(url)
            except IngestError as err:
                error = error or err
                continue
            return self._decode(data, response, file, url)
        assert error is not None
        raise error

    def _decode(
        self, data: bytes, response: httpx.Response, file: Mapping[str, Any], url: str
    ) -> str:
        declared = response.headers.get("content-type", "") or ""
        mime = (declared.split(";")[0].strip() or _text(file.get("mimeType")) or "").lower()
        if mime == "application/octet-stream":
            mime = (_text(file.get("mimeType")) or mime).lower()
        name = _file_name(file, url)
        head = data[:1024]
        if b"%PDF-" in head:
            return self._via_file(data, _with_suffix(name, ".pdf"), "pdf")
        if data.startswith(b"PK\x03\x04") and (
            "wordprocessingml" in mime or name.lower().endswith(".docx")
        ):
            return self._via_file(data, _with_suffix(name, ".docx"), "docx")
        if "html" in mime or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            from ingest.sources.html import decode_html, html_to_text

            text, _ = html_to_text(decode_html(data))
        elif mime.startswith("text/") or mime in ("", "application/octet-stream"):
            from ingest.sources.text import decode_text

            text = decode_text(data, name)
        elif "pdf" in mime:
            return self._via_file(data, _with_suffix(name, ".pdf"), "pdf")
        else:
            raise IngestError(f"Die Datei {name} hat das nicht unterstützte Format {mime}.")
        if _alnum(text) < MIN_TEXT_CHARS:
            raise IngestError(f"Die Datei {name} enthält keinen lesbaren Text.")
        return text

    def _via_file(self, data: bytes, name: str, kind: str) -> str:
        with tempfile.TemporaryDirectory(prefix="vorlagen-oparl-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            if kind == "pdf":
                from ingest.sources.pdf import load_pdf

                raw = load_pdf(
                    path, timeout_s=self.limits.pdf_timeout_s, memory_mb=self.limits.pdf_memory_mb
                )
            else:
                from ingest.sources.docx import load_docx

                raw = load_docx(path)
        return raw.text


@dataclass
class _Counts:
    body: str
    page: int = 0
    yielded: int = 0
    failed: int = 0
    skipped: int = 0
    total: int | None = None


# ---------------------------------------------------------------------------------------------
# Adapter for ingest.pipeline


@dataclass(frozen=True)
class OParlDocument:
    """A synced paper as an ``ingest.pipeline.Document`` (key: the Paper's URL)."""

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


# ---------------------------------------------------------------------------------------------
# Pure helpers


def vorlage_candidates(paper: Mapping[str, Any]) -> list[object]:
    """The files that may hold the Vorlage text, most likely first.

    The ``mainFile`` alone when there is one; else the auxiliary files, those whose name looks
    like an attachment last and those named like a Vorlage or Beschluss first (stable order).
    """
    main = _many(paper.get("mainFile"))
    if main:
        return main
    return sorted(_many(paper.get("auxiliaryFile")), key=_attachment_score)


def _attachment_score(file: object) -> int:
    if not isinstance(file, Mapping):
        return 0
    name = _text(file.get("name")) or _text(file.get("fileName")) or ""
    return 2 * bool(_ATTACHMENT.search(name)) - bool(_VORLAGE.search(name))


@dataclass(frozen=True)
class _Page:
    url: str
    items: list[object]
    next: str | None
    total: int | None


def _remember(retry: list[str], pid: str) -> None:
    if pid not in retry:
        retry.append(pid)


def _parse_page(data: object, url: str) -> _Page:
    """An OParl list page: items, the next page's URL and the total count when stated."""
    if isinstance(data, list):
        return _Page(url, _items(data), None, None)
    if not isinstance(data, Mapping):
        raise IngestError(f"Unter {url} liefert der OParl-Server keine Liste.")
    raw_items = data.get("data") if "data" in data else data.get("items")
    links = data.get("links")
    links = links if isinstance(links, Mapping) else {}
    raw_next = _first(links.get("next")) or _first(data.get("next")) or _first(data.get("nextPage"))
    next_url = _absolute(raw_next, url)
    pagination = data.get("pagination")
    pagination = pagination if isinstance(pagination, Mapping) else {}
    total = _int(pagination.get("totalElements"))
    if next_url is None:
        next_url = _next_from_pagination(url, pagination)
    if next_url == url:
        next_url = None
    return _Page(url, _items(raw_items), next_url, total)


def _next_from_pagination(url: str, pagination: Mapping[str, Any]) -> str | None:
    """``page=currentPage+1`` when the block says more pages follow and the URL pages so."""
    current, pages = _int(pagination.get("currentPage")), _int(pagination.get("totalPages"))
    if current is None or pages is None or current >= pages:
        return None
    parsed = httpx.URL(url)
    if "page" not in parsed.params and current != 1:
        return None
    return str(parsed.copy_set_param("page", str(current + 1)))


def _items(raw: object) -> list[object]:
    """List items from an array, a single object, or an object keyed by ids (PHP arrays)."""
    if (
        isinstance(raw, Mapping)
        and raw
        and "id" not in raw
        and "type" not in raw
        and all(isinstance(v, Mapping | str) for v in raw.values())
    ):
        return [v for v in raw.values() if _value(v) is not None]
    return _many(raw)


def _list_url(url: str, since: str | None, limits: SyncLimits) -> str:
    parsed = httpx.URL(url)
    if since:
        parsed = parsed.copy_set_param("modified_since", since)
    if limits.page_size:
        parsed = parsed.copy_set_param("limit", str(limits.page_size))
    return str(parsed)


def _kind(data: object) -> str | None:
    """ "system", "body", "paper", ... from ``type``; by shape for objects without one."""
    if not isinstance(data, Mapping):
        return None
    kind = _text(data.get("type"))
    if kind:
        return kind.rstrip("/").rsplit("/", 1)[-1].lower()
    if "oparlVersion" in data or ("body" in data and "paper" not in data):
        return "system"
    if "paper" in data:
        return "body"
    return None


def _first(raw: object) -> object:
    """The first usable value of a list, else the value (quirk: array where one is expected)."""
    values = _many(raw)
    return values[0] if values else None


def _absolute(raw: object, base: str) -> str | None:
    """An absolute http(s) URL from an absolute or relative reference; ``None`` otherwise."""
    raw = _value(raw)
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        url = httpx.URL(base).join(raw.strip())
    except (httpx.InvalidURL, ValueError):
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    return str(url.copy_with(fragment=None))


def _server_time(response: httpx.Response) -> str | None:
    """The server's ``Date`` minus one second, ISO 8601; ``None`` without a usable header."""
    raw = response.headers.get("date")
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when.astimezone(UTC) - timedelta(seconds=1)).isoformat()


def _datetime(raw: str | None) -> datetime | None:
    """An aware datetime from ISO 8601 (a date alone is midnight; no zone is read as UTC)."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _int(raw: object) -> int | None:
    raw = _value(raw)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _file_name(file: Mapping[str, Any], url: str) -> str:
    raw = _text(file.get("fileName")) or httpx.URL(url).path.rstrip("/").rsplit("/", 1)[-1]
    name = _SAFE_NAME.sub("_", raw or "").strip("._")[:100]
    return name or "datei"


def _with_suffix(name: str, suffix: str) -> str:
    return name if name.lower().endswith(suffix) else f"{name}{suffix}"
