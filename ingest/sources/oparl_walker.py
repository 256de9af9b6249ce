"""The walk of an OParl sync: System -> Bodies -> paper pages -> each Paper's Vorlage text.

The walk is here; the Vorlage text of one Paper is read by ``oparl_paper_text.PaperReader``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ingest.errors import IngestError
from ingest.sources.base import RawDocument
from ingest.sources.oparl import _text, _value, is_oparl_paper
from ingest.sources.oparl_http import Http, SyncLimits
from ingest.sources.oparl_items import (
    _absolute,
    _datetime,
    _first,
    _items,
    _kind,
    _list_url,
    _Page,
    _parse_page,
    _remember,
    _server_time,
)
from ingest.sources.oparl_paper_text import PaperReader
from ingest.sources.oparl_state import BodyState, SyncState, Walk


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


# ---------------------------------------------------------------------------------------------
# The walk


class Walker:
    def __init__(
        self,
        http: Http,
        state: SyncState,
        limits: SyncLimits,
        progress: ProgressCallback | None,
    ) -> None:
        self.http = http
        self.state = state
        self.limits = limits
        self.progress = progress
        self.reader = PaperReader(http, limits)

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
            entry.walk = Walk(page=_list_url(list_url, entry.mark, self.limits), since=entry.mark)
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
        walk: Walk,
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
            result = self.reader.read(paper, pid, body_name)
            if isinstance(result, IngestError):
                counts.failed += 1
                _remember(retry, pid)
            else:
                counts.yielded += 1
            yield pid, result
            self._done(walk, pid, modified)
            self._report(counts)

    def _retry(self, entry: BodyState, body_name: str | None) -> Iterator[Result]:
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
            result = self.reader.read(paper, pid, body_name)
            yield pid, result
            if not isinstance(result, IngestError):
                entry.retry.remove(pid)
                self.state.save()

    def _done(self, walk: Walk, pid: str, modified: str | None) -> None:
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


@dataclass
class _Counts:
    body: str
    page: int = 0
    yielded: int = 0
    failed: int = 0
    skipped: int = 0
    total: int | None = None
