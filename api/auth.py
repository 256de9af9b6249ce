"""Who calls the HTTP service, and what it may do: API keys, users of the web page and the local
mode (docs/security.md); the bind rule that goes with the local mode is ``api/bind.py``.

Routes use the dependency functions (plain functions of a Starlette request, usable with
FastAPI's ``Depends``): :func:`caller_from_request`, :func:`require_caller`,
:func:`require_ingest`, and :func:`login`, :func:`logout`, :func:`session_info` for the page's
login. :func:`install_access` puts the :class:`Access` built from ``settings.server`` on the
app. This module reads no settings: it takes the server section through the
:class:`ServerConfig` protocol, which ``assistant.settings.ServerSettings`` fulfils.

**API keys** (``Authorization: Bearer <key>``, for bots and other programs). The admin
configures ``sha256:<hex>`` of each key, never the key. SHA-256 and not argon2, on purpose:
the keys come from :func:`new_api_key` with 256 random bits, so a fast hash cannot be guessed
backwards, while a slow salted hash would cost every request (and every configured key, as a
salted hash cannot be looked up) tens of milliseconds and megabytes, an easy lever for
overload. The presented key's digest is compared with every configured digest in constant
time (``hmac.compare_digest``, no early exit).

**Users** log in on the page with a password (argon2id) and then carry a signed session
cookie (``api/sessions.py``). State-changing requests with the cookie need the
``X-CSRF-Token`` header; requests with a key do not (a browser never adds the Authorization
header by itself, so another site cannot forge them). A login sent by another web origin is
refused (a forged login would put the victim's drafts into the attacker's account).

**Local mode**: without keys and users, the server listens on loopback only (:func:`check_bind`)
and every request counts as the ``local`` caller with ``server.local_rights``, by default no
right at all: no nichtöffentliche Vorlagen, no ingest. A safe default because "local" is any
program or person on this machine. Requests whose ``Host`` is not a loopback name (a web page
using DNS rebinding, a proxy) or whose client is not on loopback are refused, and so are
state-changing requests sent by another web origin. With keys or users configured there is no
local caller: a request from 127.0.0.1 (e.g. through a reverse proxy) must authenticate too.

Logged (logger ``vorlagen.auth``): logins, failed logins (the name only when it is a known
user), wrong keys, broken cookies and failed CSRF checks, each with the client's address;
never a key, a password, a hash, a cookie or a token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol
from urllib.parse import urlsplit

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.bind import is_loopback
from api.sessions import (
    COOKIE_NAME,
    AccessSettingsError,
    Logins,
    Session,
    SessionInfo,
    User,
    UserConfig,
    client_address,
    csrf_ok,
    hash_password,
)

__all__ = [
    "Access",
    "AccessSettingsError",
    "Caller",
    "NewKey",
    "ServerConfig",
    "SessionInfo",
    "access_of",
    "caller_from_request",
    "hash_api_key",
    "hash_password",
    "install_access",
    "login",
    "logout",
    "new_api_key",
    "require_caller",
    "require_ingest",
    "session_info",
    "valid_name",
]

log = logging.getLogger("vorlagen.auth")

NONPUBLIC = "nichtoeffentlich"
INGEST = "ingest"
APPROVE = "mitzeichnen"
KEY_PREFIX = "va_"
# The same rule as assistant.settings.ACCESS_NAME_PATTERN (tests/api/test_auth_settings.py
# checks it).
NAME_PATTERN = r"^[\w.@-][\w .@-]{0,63}$"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_KEY_CHARS = 1024  # longer keys are refused without hashing them
LOCAL_NAME = "lokal"
STATE_ATTRIBUTE = "vorlagen_caller"

NEEDS_LOGIN = (
    "Anmeldung erforderlich: bitte einen API-Schlüssel senden (Authorization: Bearer …) "
    "oder auf der Seite anmelden."
)
SESSION_ENDED = "Die Anmeldung ist abgelaufen oder ungültig; bitte neu anmelden."
BAD_KEY = "Der API-Schlüssel ist ungültig."
BAD_SCHEME = "Nur API-Schlüssel als „Authorization: Bearer …“ werden angenommen."
BAD_LOGIN = "Benutzername oder Passwort ist falsch."
NO_LOGIN = "Auf diesem Server ist keine Anmeldung mit Benutzername und Passwort eingerichtet."
NO_INGEST = "Dieser Zugang darf keine Vorlagen einlesen."
BAD_CSRF = "Das CSRF-Token fehlt oder passt nicht zur Anmeldung (Kopfzeile X-CSRF-Token)."
FOREIGN_ORIGIN = "Anfragen, die eine fremde Web-Seite auslöst, werden abgelehnt."
ONLY_LOCAL = (
    "Ohne eingerichtete API-Schlüssel oder Benutzer beantwortet der Server nur Anfragen "
    "von diesem Rechner (127.0.0.1, ::1 oder localhost)."
)


# --- the settings it takes (fulfilled by assistant.settings.ServerSettings) ----------------


class KeyConfig(Protocol):
    """One entry of ``server.api_keys`` (``assistant.settings.ApiKeySettings``)."""

    @property
    def name(self) -> str: ...
    @property
    def hash(self) -> SecretStr: ...
    @property
    def rights(self) -> Sequence[str]: ...


class ServerConfig(Protocol):
    """The ``server`` section (``assistant.settings.ServerSettings``)."""

    @property
    def port(self) -> int: ...
    @property
    def api_keys(self) -> Sequence[KeyConfig]: ...
    @property
    def users(self) -> Sequence[UserConfig]: ...
    @property
    def session_secret(self) -> SecretStr | None: ...
    @property
    def session_max_age_s(self) -> int: ...
    @property
    def local_rights(self) -> Sequence[str]: ...


# --- callers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who sent a request: an API key's or a user's name, or ``lokal``; and its rights
    (``may_approve``: decide on a Mitzeichnung, the right ``mitzeichnen``)."""

    name: str
    kind: Literal["key", "user", "local"]
    may_see_nonpublic: bool = False
    may_ingest: bool = False
    may_approve: bool = False


def _caller(name: str, kind: Literal["key", "user", "local"], rights: frozenset[str]) -> Caller:
    return Caller(
        name,
        kind,
        may_see_nonpublic=NONPUBLIC in rights,
        may_ingest=INGEST in rights,
        may_approve=APPROVE in rights,
    )


@dataclass(frozen=True)
class _Key:
    name: str
    digest: bytes = field(repr=False)
    rights: frozenset[str]


class Access:
    """The configured keys and users; answers who a request's caller is.

    Raises:
        AccessSettingsError: a user's password hash is not a valid argon2 hash.
    """

    def __init__(self, server: ServerConfig) -> None:
        self._keys = [
            _Key(key.name, _digest_of_hash(key.hash.get_secret_value()), frozenset(key.rights))
            for key in server.api_keys
        ]
        self._local_rights = frozenset(server.local_rights)
        self._logins: Logins | None = None
        if server.users:
            secret = server.session_secret
            self._logins = Logins(
                server.users,
                secret.get_secret_value() if secret is not None else None,
                server.session_max_age_s,
            )

    def __repr__(self) -> str:
        return f"Access(keys={len(self._keys)}, {self._logins!r}, local={self.local_only})"

    @property
    def local_only(self) -> bool:
        """No keys and no users: loopback only, every request is the local caller."""
        return not self._keys and self._logins is None

    def caller(self, request: Request) -> Caller | None:
        """The request's caller; None when it brings no credentials (or an ended session).

        Raises:
            HTTPException: 401 for a wrong key or scheme; 403 for a cookie request that
                changes state without the CSRF token, and in local mode for a request that
                does not come from this machine or comes from another web origin.
        """
        if self.local_only:
            return self._local_caller(request)
        header = request.headers.get("authorization")
        if header is not None:
            return self._key_caller(request, header)
        current = self._logins.current(request) if self._logins is not None else None
        if current is None:
            return None
        user, session = current
        if request.method not in SAFE_METHODS and not csrf_ok(request, session):
            log.warning(
                "CSRF-Prüfung fehlgeschlagen für %s (Client %s).",
                user.name,
                client_address(request),
            )
            raise HTTPException(403, BAD_CSRF)
        return _caller(user.name, "user", user.rights)

    def _local_caller(self, request: Request) -> Caller:
        if not (is_loopback(request.url.hostname or "") and is_loopback(client_address(request))):
            raise HTTPException(403, ONLY_LOCAL)
        if request.method not in SAFE_METHODS and not _same_origin(request):
            raise HTTPException(403, FOREIGN_ORIGIN)
        return _caller(LOCAL_NAME, "local", self._local_rights)

    def _key_caller(self, request: Request, header: str) -> Caller:
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise _unauthorized(BAD_SCHEME)
        key = key.strip()
        digest = hashlib.sha256(key.encode()).digest() if len(key) <= MAX_KEY_CHARS else b""
        found: _Key | None = None
        for candidate in self._keys:  # all of them, whatever matches: constant time
            if hmac.compare_digest(candidate.digest, digest):
                found = candidate
        if found is None:
            log.warning("Ungültiger API-Schlüssel (Client %s).", client_address(request))
            raise _unauthorized(BAD_KEY, error="invalid_token")
        return _caller(found.name, "key", found.rights)

    # --- the page's login ------------------------------------------------------------------

    def login(self, request: Request, response: Response, name: str, password: str) -> SessionInfo:
        """Check ``password`` and set the session cookie on ``response``.

        Blocks for the password check (tens of ms): call it from a sync route.

        Raises:
            HTTPException: 401 for a wrong name or password (or when no users are
                configured); 403 when another web origin sends the login.
        """
        if self._logins is None:
            raise _unauthorized(NO_LOGIN)
        if not _same_origin(request):
            raise HTTPException(403, FOREIGN_ORIGIN)
        user = self._logins.check(request, name, password)
        if user is None:
            raise _unauthorized(BAD_LOGIN)
        return _info(user, self._logins.start(request, response, user))

    def logout(self, request: Request, response: Response) -> None:
        """Delete the session cookie (also when there is no valid session)."""
        if self._logins is not None:
            self._logins.end(request, response)

    def session_info(self, request: Request) -> SessionInfo | None:
        """The valid session of the request's cookie, with its CSRF token; else None."""
        current = self._logins.current(request) if self._logins is not None else None
        return _info(*current) if current is not None else None


def _info(user: User, session: Session) -> SessionInfo:
    caller = _caller(user.name, "user", user.rights)
    return SessionInfo(
        name=user.name,
        may_see_nonpublic=caller.may_see_nonpublic,
        may_ingest=caller.may_ingest,
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
    )


def _digest_of_hash(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("sha256:"))


def _unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = 'Bearer realm="Vorlagen-Assistent"'
    if error:
        challenge += f', error="{error}"'
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})


def _same_origin(request: Request) -> bool:
    """False when a browser says another web origin sent the request.

    Browsers send ``Sec-Fetch-Site``; older ones only ``Origin``, compared with ``Host`` (a
    reverse proxy must pass the Host on). Requests with neither (programs) pass.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = request.headers.get("host", "")
    return bool(own) and urlsplit(origin).netloc.lower() == own.lower()


# --- dependency functions for routes ---------------------------------------------------------


def install_access(app: Starlette, access: Access) -> None:
    """Make ``access`` the app's access rules (``create_app`` calls it once)."""
    app.state.vorlagen_access = access


def access_of(request: Request) -> Access:
    access = getattr(request.app.state, "vorlagen_access", None)
    if not isinstance(access, Access):
        raise RuntimeError("install_access(app, Access(settings.server)) was not called")
    return access


def caller_from_request(request: Request) -> Caller | None:
    """The request's caller, or None without credentials (routes open to everybody).

    Raises the 401/403 of :meth:`Access.caller` for wrong credentials.
    """
    cached = getattr(request.state, STATE_ATTRIBUTE, None)
    if isinstance(cached, Caller):
        return cached
    caller = access_of(request).caller(request)
    if caller is not None:
        setattr(request.state, STATE_ATTRIBUTE, caller)
    return caller


def require_caller(request: Request) -> Caller:
    """The request's caller; 401 (German, ``WWW-Authenticate: Bearer``) without one."""
    caller = caller_from_request(request)
    if caller is None:
        raise _unauthorized(SESSION_ENDED if COOKIE_NAME in request.cookies else NEEDS_LOGIN)
    return caller


def require_ingest(request: Request) -> Caller:
    """The request's caller if it may ingest; 401 without a caller, 403 without the right."""
    caller = require_caller(request)
    if not caller.may_ingest:
        raise HTTPException(403, NO_INGEST)
    return caller


def login(request: Request, response: Response, name: str, password: str) -> SessionInfo:
    """See :meth:`Access.login`: the body of ``POST /api/login`` (a sync route)."""
    return access_of(request).login(request, response, name, password)


def logout(request: Request, response: Response) -> None:
    """See :meth:`Access.logout`: the body of ``POST /api/logout``."""
    access_of(request).logout(request, response)


def session_info(request: Request) -> SessionInfo:
    """The body of ``GET /api/session``: the login and its CSRF token; 401 without one."""
    info = access_of(request).session_info(request)
    if info is None:
        raise _unauthorized(NEEDS_LOGIN)
    return info


# --- keys and password hashes ----------------------------------------------------------------


class NewKey(NamedTuple):
    key: str  # shown once to the admin, never stored
    hash: str  # "sha256:<hex>", goes into server.api_keys


def new_api_key() -> NewKey:
    """A random API key (``va_`` and 256 random bits) and its configured hash."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return NewKey(key, hash_api_key(key))


def hash_api_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def valid_name(name: str) -> bool:
    """Whether ``name`` is allowed for a key or a user (letters, digits, ``.@-_``, spaces)."""
    return re.fullmatch(NAME_PATTERN, name) is not None
