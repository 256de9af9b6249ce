"""HTTP for the OParl sync: one httpx client, retries with backoff, size limits."""

from __future__ import annotations

import email.utils
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from ingest.errors import IngestError

logger = logging.getLogger("ingest.sources.oparl_api")

USER_AGENT = "Vorlagen-Assistent/0.1 (OParl-Sync; +https://oparl.org)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


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


# ---------------------------------------------------------------------------------------------
# HTTP with retries


class Http:
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
    when = http_date(raw)
    return None if when is None else max(0.0, (when - datetime.now(UTC)).total_seconds())


def http_date(raw: str) -> datetime | None:
    """An HTTP date header as an aware datetime (UTC when the header names no zone)."""
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
