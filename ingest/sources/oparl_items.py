"""Pure helpers of the OParl sync: list pages, items, URLs, dates and file names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ingest.errors import IngestError
from ingest.sources.oparl import _many, _text, _value
from ingest.sources.oparl_http import SyncLimits, http_date

_ATTACHMENT = re.compile(
    r"anla?ge|anlge|anhang|karte|lageplan|plan\b|planzeichnung|übersicht|foto|präsentation|"
    r"stellungn|protokoll|abstimmung|auszug|\$nk|broschüre|broschuere|gutachten|synopse|"
    r"gegenüberstellung|tabelle|\.xlsx?\b",
    re.IGNORECASE,
)
_VORLAGE = re.compile(r"vorlage|vorl_|beschluss", re.IGNORECASE)
_SAFE_NAME = re.compile(r"[^\w.\-]+")

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
    when = http_date(raw) if raw else None
    if when is None:
        return None
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
