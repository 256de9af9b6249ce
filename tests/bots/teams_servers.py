"""Local servers for the Teams tests: an OpenID/JWKS publisher with a locally generated RSA
key, and a fake Bot Connector that records what the bot sends.

Both are real HTTP servers on 127.0.0.1 (``http.server`` in a thread), so the bot's HTTP
clients make real requests. Tokens are signed with PyJWT by :meth:`KeyPublisher.token`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

__all__ = [
    "APP_ID",
    "ConnectorCall",
    "FakeConnector",
    "KeyPublisher",
    "fake_connector",
    "key_publisher",
    "serving",
]

APP_ID = "00000000-1111-2222-3333-444444444444"
ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], owner: Any) -> Iterator[str]:
    """Serve ``handler`` (which finds ``owner`` as ``self.server.owner``) on a free loopback
    port; yields the base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    server.owner = owner  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _KeysHandler(_Quiet):
    def do_GET(self) -> None:
        owner: KeyPublisher = self.server.owner  # type: ignore[attr-defined]
        owner.requests.append(self.path)
        if self.path == "/.well-known/openidconfiguration":
            self._json(200, {"issuer": ISSUER, "jwks_uri": f"{owner.url}/keys"})
        elif self.path == "/keys":
            self._json(200, owner.jwks())
        else:
            self._json(404, {})


@dataclass
class KeyPublisher:
    """Publishes the public halves of ``keys`` (kid -> private key) as a JWKS document."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    endorsements: dict[str, list[str]] = field(default_factory=dict)
    url: str = ""
    requests: list[str] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openidconfiguration"

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid, key in self.keys.items():
            entry = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            entry.update({"kid": kid, "use": "sig", "alg": "RS256"})
            if kid in self.endorsements:
                entry["endorsements"] = self.endorsements[kid]
            entries.append(entry)
        return {"keys": entries}

    def token(
        self,
        kid: str = "key-1",
        *,
        key: rsa.RSAPrivateKey | None = None,
        audience: str = APP_ID,
        issuer: str = ISSUER,
        expires_in: float = 600,
        not_before: float | None = None,
        service_url: str | None = None,
        algorithm: str = "RS256",
        **claims: Any,
    ) -> str:
        """A token signed with ``key`` (default: the published key ``kid``)."""
        now = time.time()
        payload: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "iat": int(now),
            "nbf": int(now if not_before is None else not_before),
            "exp": int(now + expires_in),
            **claims,
        }
        if service_url is not None:
            payload["serviceurl"] = service_url
        signing = key if key is not None else self.keys[kid]
        return jwt.encode(payload, signing, algorithm=algorithm, headers={"kid": kid})


@contextmanager
def key_publisher(kids: tuple[str, ...] = ("key-1",)) -> Iterator[KeyPublisher]:
    publisher = KeyPublisher(keys={kid: new_key() for kid in kids})
    with serving(_KeysHandler, publisher) as url:
        publisher.url = url
        yield publisher


@dataclass(frozen=True)
class ConnectorCall:
    """One request the bot made to the Bot Connector."""

    method: str
    path: str
    authorization: str | None
    body: dict[str, Any]
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _ConnectorHandler(_Quiet):
    def _record(self) -> None:
        owner: FakeConnector = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}  # an uploaded file: kept in ``raw``
        call = ConnectorCall(
            self.command,
            self.path,
            self.headers.get("Authorization"),
            body,
            raw,
            dict(self.headers),
        )
        with owner.changed:
            owner.calls.append(call)
            owner.changed.notify_all()
        if owner.fail_status:
            self._json(owner.fail_status, {"error": {"code": "Fake"}})
            return
        activity_id = self.path.rsplit("/", 1)[-1] if self.command == "PUT" else None
        self._json(200, {"id": activity_id or f"act-{uuid.uuid4().hex[:8]}"})

    def do_POST(self) -> None:
        self._record()

    def do_PUT(self) -> None:
        self._record()


@dataclass
class FakeConnector:
    """Records every call; answers like the Bot Connector (``{"id": …}``), or with
    ``fail_status`` when set."""

    url: str = ""
    calls: list[ConnectorCall] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    fail_status: int = 0

    def wait_for(self, predicate: Any, timeout_s: float = 30.0) -> list[ConnectorCall]:
        """The calls once ``predicate(calls)`` holds; fails after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while not predicate(self.calls):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"connector calls never matched: {self.calls!r}")
                self.changed.wait(left)
            return list(self.calls)


@contextmanager
def fake_connector() -> Iterator[FakeConnector]:
    connector = FakeConnector()
    with serving(_ConnectorHandler, connector) as url:
        connector.url = url
        yield connector
