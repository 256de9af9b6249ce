"""The Bot Framework's JWT on every request to ``/api/messages`` (docs/bots.md).

Teams (through the Bot Connector) signs each activity it sends with a JWT in
``Authorization: Bearer …``. :class:`BotFrameworkAuth` accepts a request only when that token

* is signed with RS256 by a key published at the ``jwks_uri`` of the OpenID metadata
  document (``bots.teams.openid_metadata_url``; tests point it at a local endpoint). Keys are
  cached for :data:`KEYS_MAX_AGE_S`; a token with an unknown ``kid`` makes one refresh, at
  most every :data:`MIN_REFRESH_S` seconds (so a stream of forged ``kid``s cannot make the
  server fetch the keys on every request). A key that lists ``endorsements`` signs only for
  the channels it names (the activity's ``channelId``);
* is meant for our bot (``aud`` = ``bots.teams.app_id``);
* was issued by the Bot Framework (``https://api.botframework.com``) or, with a
  ``bots.teams.tenant_id``, by that tenant (``https://sts.windows.net/<tenant>/``,
  ``https://login.microsoftonline.com/<tenant>/v2.0``);
* has not expired and is already valid (``exp`` required, ``nbf`` when present), with
  :data:`CLOCK_SKEW_S` of clock skew;
* names the activity's ``serviceUrl`` in its ``serviceurl`` claim when it has one, so that a
  reply (which carries our own token for the Bot Connector) never goes to an address the
  sender chose.

Why not the Teams SDK's ``TokenValidator``: it derives the keys' address from a built-in
cloud table (not from a configurable metadata URL) and fetches them with a blocking call
inside the event loop. The checks above are the same as the SDK's, plus the endorsements.

Any failure is :class:`TeamsAuthError` with a German sentence (the route answers 401); the
log names the reason but never the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

__all__ = [
    "BOT_FRAMEWORK_ISSUER",
    "CLOCK_SKEW_S",
    "BotFrameworkAuth",
    "OpenIdKeys",
    "TeamsAuthError",
    "TeamsToken",
]

log = logging.getLogger("vorlagen.teams")

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CLOCK_SKEW_S = 300
KEYS_MAX_AGE_S = 24 * 3600
MIN_REFRESH_S = 60.0
FETCH_TIMEOUT_S = 10.0
MAX_TOKEN_CHARS = 16_000
ALGORITHMS = ("RS256",)

NO_TOKEN = "Die Anfrage ist nicht vom Bot Framework signiert (Authorization: Bearer fehlt)."
BAD_TOKEN = "Das Token des Bot Frameworks ist ungültig."
NO_KEYS = "Die Schlüssel des Bot Frameworks sind gerade nicht abrufbar; bitte später erneut."


class TeamsAuthError(Exception):
    """A request to ``/api/messages`` is not authenticated; ``str(err)`` is German, ``reason``
    a short English note for the log (never the token)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class TeamsToken:
    """What a valid token says: who issued it, for which app, and the Bot Connector address
    it vouches for (``serviceurl``; None when the token has none)."""

    issuer: str
    app_id: str
    service_url: str | None
    claims: Mapping[str, Any]


@dataclass(frozen=True)
class _Key:
    key: Any
    endorsements: frozenset[str] | None


class OpenIdKeys:
    """The signing keys published at an OpenID metadata document's ``jwks_uri``, cached.

    ``clock`` is for tests. Fetching uses ``httpx`` (the environment's proxy settings apply:
    an installation behind a proxy reaches Microsoft through it)."""

    def __init__(
        self,
        metadata_url: str,
        *,
        max_age_s: float = KEYS_MAX_AGE_S,
        min_refresh_s: float = MIN_REFRESH_S,
        timeout_s: float = FETCH_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not metadata_url.startswith(("https://", "http://")):
            raise ValueError("the OpenID metadata URL must be http(s)")
        self.metadata_url = metadata_url
        self.max_age_s = max_age_s
        self.min_refresh_s = min_refresh_s
        self.timeout_s = timeout_s
        self.clock = clock
        self._keys: dict[str, _Key] = {}
        self._fetched: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how often the keys were fetched (tests, the log)

    async def key(self, kid: str) -> _Key | None:
        """The key ``kid``: from the cache while it is fresh; otherwise (or when unknown) after
        one refresh, unless the last refresh was less than ``min_refresh_s`` ago. None when
        the publisher does not know it."""
        async with self._lock:
            now = self.clock()
            stale = self._fetched is None or now - self._fetched > self.max_age_s
            known = self._keys.get(kid)
            if known is not None and not stale:
                return known
            recent = self._fetched is not None and now - self._fetched < self.min_refresh_s
            if not recent or stale:
                await self._refresh()
            return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                metadata = await _get_json(client, self.metadata_url)
                jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
                if not isinstance(jwks_uri, str) or not jwks_uri.startswith(
                    ("https://", "http://")
                ):
                    raise ValueError("the metadata names no jwks_uri")
                jwks = await _get_json(client, jwks_uri)
        except (httpx.HTTPError, ValueError) as err:
            log.warning("Teams: Schlüssel nicht abrufbar (%s)", type(err).__name__)
            if not self._keys:
                raise TeamsAuthError(NO_KEYS, "keys unavailable") from err
            return  # keep the keys we have; try again after min_refresh_s
        self._keys = _parse_jwks(jwks)
        self._fetched = self.clock()
        self.fetches += 1


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    try:
        return response.json()
    except json.JSONDecodeError as err:
        raise ValueError("not JSON") from err


def _parse_jwks(jwks: Any) -> dict[str, _Key]:
    """The RSA keys of a JWKS document by ``kid`` (other keys are skipped)."""
    keys: dict[str, _Key] = {}
    entries = jwks.get("keys") if isinstance(jwks, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            key = RSAAlgorithm.from_jwk(entry)
        except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
            continue
        endorsements = entry.get("endorsements")
        keys[kid] = _Key(
            key=key,
            endorsements=frozenset(str(e) for e in endorsements)
            if isinstance(endorsements, list)
            else None,
        )
    return keys


class BotFrameworkAuth:
    """Checks the Bot Framework JWT of one request (see the module's docstring)."""

    def __init__(
        self,
        app_id: str,
        keys: OpenIdKeys,
        *,
        tenant_id: str | None = None,
        clock_skew_s: int = CLOCK_SKEW_S,
    ) -> None:
        if not app_id:
            raise ValueError("app_id is required")
        if not 0 <= clock_skew_s <= CLOCK_SKEW_S:
            raise ValueError(f"clock skew 0 to {CLOCK_SKEW_S} s")
        self.app_id = app_id
        self.keys = keys
        self.clock_skew_s = clock_skew_s
        issuers = [BOT_FRAMEWORK_ISSUER]
        if tenant_id:
            issuers += [
                f"https://sts.windows.net/{tenant_id}/",
                f"https://login.microsoftonline.com/{tenant_id}/v2.0",
            ]
        self.issuers = tuple(issuers)

    async def verify(
        self,
        authorization: str | None,
        *,
        channel_id: str | None = None,
        service_url: str | None = None,
    ) -> TeamsToken:
        """The token of the ``Authorization`` header, checked; ``channel_id`` and
        ``service_url`` are the activity's. Raises :class:`TeamsAuthError`."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as err:
            raise _bad("malformed header") from err
        if header.get("alg") not in ALGORITHMS:
            raise _bad(f"algorithm {str(header.get('alg'))[:10]!r} refused")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _bad("no kid")
        found = await self.keys.key(kid)
        if found is None:
            raise _bad("unknown kid")
        if found.endorsements is not None and (channel_id not in found.endorsements):
            raise _bad("key not endorsed for the channel")
        claims = self._decode(token, found.key)
        token_service_url = claims.get("serviceurl")
        if token_service_url is not None and not isinstance(token_service_url, str):
            raise _bad("serviceurl claim not a string")
        if (
            service_url is not None
            and token_service_url is not None
            and token_service_url.rstrip("/") != service_url.rstrip("/")
        ):
            raise _bad("serviceUrl differs from the token's")
        return TeamsToken(
            issuer=str(claims["iss"]),
            app_id=self.app_id,
            service_url=token_service_url,
            claims=claims,
        )

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.app_id,
                issuer=list(self.issuers),
                leeway=self.clock_skew_s,
                options={"require": ["exp", "iss", "aud"], "verify_signature": True},
            )
        except jwt.ExpiredSignatureError as err:
            raise _bad("expired") from err
        except jwt.ImmatureSignatureError as err:
            raise _bad("not yet valid") from err
        except jwt.InvalidAudienceError as err:
            raise _bad("wrong audience") from err
        except jwt.InvalidIssuerError as err:
            raise _bad("wrong issuer") from err
        except jwt.InvalidSignatureError as err:
            raise _bad("bad signature") from err
        except jwt.PyJWTError as err:
            raise _bad(type(err).__name__) from err
        return claims


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise TeamsAuthError(NO_TOKEN, "no token")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise TeamsAuthError(NO_TOKEN, "not a bearer token")
    if len(token) > MAX_TOKEN_CHARS:
        raise _bad("token too long")
    return token


def _bad(reason: str) -> TeamsAuthError:
    return TeamsAuthError(BAD_TOKEN, reason)
