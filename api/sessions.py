"""Users of the web page: their passwords, their login sessions and CSRF tokens.

Users come from ``server.users``, each with an argon2id password hash (argon2-cffi's
``PasswordHasher``; a rehash with newer parameters is not done). At most two password checks
run at once (each takes tens of MiB), and an unknown name is checked against a dummy hash
with the same parameters, so it takes as long as a known one.

After the login the browser carries a session cookie. It holds no rights and no password,
only the user's name, a CSRF token and a fingerprint of the user's password hash, signed with
``server.session_secret`` (itsdangerous, HMAC-SHA256 over a timestamped payload): readable,
but not forgeable. Rights are looked up in the settings on every request, so a changed right
applies at once; a changed password or a removed user ends that user's sessions, because the
fingerprint no longer matches.

- The cookie is ``HttpOnly`` and ``SameSite=Lax``, ``Secure`` when the request came over https
  (behind a TLS proxy: run uvicorn with ``--proxy-headers``), and lasts
  ``server.session_max_age_s`` from the login (no sliding renewal); an older signature is
  refused even when a browser keeps the cookie.
- Logout deletes the cookie in the browser. The session is stateless: a copy of the cookie
  stays valid until it expires (docs/security.md).
- Double-submit CSRF: the page gets the session's token from the login answer (or
  ``GET``-ing its session) and sends it as ``X-CSRF-Token`` with every state-changing request;
  :func:`csrf_ok` compares it with the token in the signed cookie in constant time. Another
  site can make the browser send the cookie, but cannot read the token nor set the header.

Without ``server.session_secret`` a random secret per process signs the cookies: logins end
at a restart, and several server processes do not accept each other's cookies. That is
logged once, in German.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, SecretStr
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("vorlagen.auth")

COOKIE_NAME = "vorlagen_sitzung"
CSRF_HEADER = "X-CSRF-Token"
SALT = "vorlagen-sitzung"
MAX_PASSWORD_CHARS = 1024  # longer passwords are refused without hashing them
PASSWORD_CHECKS_AT_ONCE = 2

_process_secret: str | None = None
_process_secret_lock = threading.Lock()


class AccessSettingsError(Exception):
    """The access settings are unusable; ``str(err)`` is one German sentence for the admin."""


class UserConfig(Protocol):
    """One entry of ``server.users`` (``assistant.settings.UserSettings``)."""

    @property
    def name(self) -> str: ...
    @property
    def password_hash(self) -> SecretStr: ...
    @property
    def rights(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str = field(repr=False)
    rights: frozenset[str]


class SessionInfo(BaseModel):
    """What the page learns about its login (answer of login and of ``GET /api/session``)."""

    name: str
    may_see_nonpublic: bool
    may_ingest: bool
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    """A valid session cookie's content."""

    name: str
    csrf_token: str = field(repr=False)
    fingerprint: str = field(repr=False)
    expires_at: datetime


def process_secret() -> str:
    """The random signing secret of this process, made (and announced in the log) once."""
    global _process_secret
    with _process_secret_lock:
        if _process_secret is None:
            _process_secret = secrets.token_urlsafe(32)
            log.warning(
                "Kein server.session_secret gesetzt: Anmeldungen werden mit einem zufälligen "
                "Schlüssel dieses Prozesses signiert und enden beim Neustart des Servers."
            )
        return _process_secret


class SessionCookies:
    """Issues, reads and clears the signed session cookie.

    ``secret`` is the configured ``server.session_secret``; None takes :func:`process_secret`.
    """

    def __init__(self, secret: str | None, max_age_s: int) -> None:
        key = secret if secret is not None else process_secret()
        self._serializer = URLSafeTimedSerializer(
            key, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256}
        )
        self._fingerprint_key = hashlib.sha256(("fingerprint:" + key).encode()).digest()
        self.max_age_s = max_age_s

    def __repr__(self) -> str:
        return f"SessionCookies(max_age_s={self.max_age_s})"

    def fingerprint(self, password_hash: str) -> str:
        """A keyed digest of the password hash: changes when the password changes."""
        digest = hmac.new(self._fingerprint_key, password_hash.encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def issue(self, request: Request, response: Response, name: str, password_hash: str) -> Session:
        """Set a fresh session cookie for ``name`` on ``response`` (new CSRF token)."""
        session = Session(
            name=name,
            csrf_token=secrets.token_urlsafe(32),
            fingerprint=self.fingerprint(password_hash),
            expires_at=datetime.now(UTC) + timedelta(seconds=self.max_age_s),
        )
        value = self._serializer.dumps(
            {"u": name, "c": session.csrf_token, "f": session.fingerprint}
        )
        response.set_cookie(
            COOKIE_NAME,
            value,
            max_age=self.max_age_s,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
        return session

    def read(self, request: Request) -> Session | None:
        """The session of the request's cookie; None without one, or when it is tampered
        with, malformed or older than the max age."""
        value = request.cookies.get(COOKIE_NAME)
        if not value:
            return None
        try:
            payload, signed_at = self._serializer.loads(
                value, max_age=self.max_age_s, return_timestamp=True
            )
        except SignatureExpired:
            log.debug("Abgelaufene Sitzung (Client %s).", client_address(request))
            return None
        except BadSignature:
            log.warning("Ungültiges Sitzungs-Cookie (Client %s).", client_address(request))
            return None
        if not _valid_payload(payload):
            return None
        return Session(
            name=payload["u"],
            csrf_token=payload["c"],
            fingerprint=payload["f"],
            expires_at=signed_at + timedelta(seconds=self.max_age_s),
        )

    def clear(self, request: Request, response: Response) -> None:
        """Delete the session cookie in the browser."""
        response.delete_cookie(
            COOKIE_NAME,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )


def _valid_payload(payload: object) -> bool:
    return isinstance(payload, dict) and all(
        isinstance(payload.get(part), str) for part in ("u", "c", "f")
    )


def csrf_ok(request: Request, session: Session) -> bool:
    """Whether the request's ``X-CSRF-Token`` header equals the session's token."""
    sent = request.headers.get(CSRF_HEADER, "")
    return hmac.compare_digest(sent.encode(), session.csrf_token.encode())


def client_address(request: Request) -> str:
    """The client's address for a log line ("unbekannt" when the server does not know it)."""
    return request.client.host if request.client else "unbekannt"


class Logins:
    """The configured users: password checks and sessions.

    Raises:
        AccessSettingsError: a user's password hash is not a valid argon2 hash.
    """

    def __init__(self, users: Sequence[UserConfig], secret: str | None, max_age_s: int) -> None:
        self._users = {
            user.name: User(
                user.name, user.password_hash.get_secret_value(), frozenset(user.rights)
            )
            for user in users
        }
        self._cookies = SessionCookies(secret, max_age_s)
        self._dummy_hash = _dummy_hash(list(self._users.values()))
        self._checks = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)

    def __repr__(self) -> str:
        return f"Logins(users={len(self._users)}, {self._cookies!r})"

    def check(self, request: Request, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (logged). Blocks for tens of ms."""
        user = self._users.get(name)
        if self._password_matches(user, password) and user is not None:
            return user
        who = f" für {user.name}" if user is not None else ""
        log.warning("Anmeldung fehlgeschlagen%s (Client %s).", who, client_address(request))
        return None

    def _password_matches(self, user: User | None, password: str) -> bool:
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        stored = user.password_hash if user is not None else self._dummy_hash
        with self._checks:
            try:
                return PasswordHasher().verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

    def start(self, request: Request, response: Response, user: User) -> Session:
        """Set a fresh session cookie for ``user`` on ``response``."""
        session = self._cookies.issue(request, response, user.name, user.password_hash)
        log.info("Anmeldung: %s (Client %s).", user.name, client_address(request))
        return session

    def current(self, request: Request) -> tuple[User, Session] | None:
        """The user and session of the request's cookie; None without a valid one, and when
        the user was removed or has a new password since the login."""
        session = self._cookies.read(request)
        if session is None:
            return None
        user = self._users.get(session.name)
        if user is None or not hmac.compare_digest(
            session.fingerprint, self._cookies.fingerprint(user.password_hash)
        ):
            return None
        return user, session

    def end(self, request: Request, response: Response) -> None:
        """Delete the session cookie (also when there is no valid session)."""
        current = self.current(request)
        if current is not None:
            log.info("Abmeldung: %s (Client %s).", current[0].name, client_address(request))
        self._cookies.clear(request, response)


def _dummy_hash(users: list[User]) -> str:
    """A hash with the first user's parameters, for unknown names; checks every user's hash."""
    for user in users:
        try:
            extract_parameters(user.password_hash)
        except InvalidHashError as err:
            raise AccessSettingsError(
                f"Der Passwort-Hash von {user.name} ist kein gültiger argon2id-Hash "
                "(server.users); „vorlagen schluessel benutzer“ erzeugt einen."
            ) from err
    if not users:
        return ""
    parameters = extract_parameters(users[0].password_hash)
    return PasswordHasher.from_parameters(parameters).hash(secrets.token_urlsafe(16))


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """An argon2id hash of ``password`` (argon2-cffi's default parameters, RFC 9106 low-memory)."""
    return (hasher or PasswordHasher()).hash(password)
