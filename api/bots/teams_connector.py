"""Outbound calls of the Teams bot: the Bot Connector's REST API at a conversation's
``serviceUrl`` (send, reply, update an activity) and the upload of a file a user accepted.

Tokens for the Bot Connector come from a :class:`ConnectorTokens`: in production
:class:`SdkTokens`, the Teams SDK's ``TokenManager`` (MSAL's client-credentials flow with
``bots.teams.app_id`` and ``app_password``, against ``login.microsoftonline.com``; MSAL caches
the token until shortly before it expires). In the local test mode there are no credentials
and no token is sent.

The REST calls are made here with httpx rather than through the SDK's API client, so that
they take our JSON (the cards of :mod:`api.bots.teams_cards`) as it is and so that an address
is checked before our token goes to it: :func:`check_service_url` accepts https, and http
only on loopback (the tests' fake Bot Connector). The route has already checked that the
address is the one the Bot Framework's token vouches for.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx

from api.bind import is_loopback

__all__ = [
    "BotConnector",
    "ConnectorError",
    "ConnectorTokens",
    "NoTokens",
    "SdkTokens",
    "check_service_url",
]

log = logging.getLogger("vorlagen.teams")

TIMEOUT_S = 15.0
CONNECTOR_FAILED = "Teams hat die Antwort nicht angenommen; bitte später erneut versuchen."
BAD_ADDRESS = "Die Adresse des Bot Connectors ist unzulässig."


class ConnectorError(Exception):
    """A call to the Bot Connector failed; ``str(err)`` is German (no token, no text)."""


class ConnectorTokens(Protocol):
    """Where the bearer token for the Bot Connector comes from.

    Contract: :meth:`token` returns the raw token (without ``Bearer``), or None when no token
    is to be sent (the local test mode); it may block on the network only in a thread."""

    async def token(self) -> str | None: ...


class NoTokens:
    """The local test mode: no credentials, no token."""

    async def token(self) -> str | None:
        return None


class SdkTokens:
    """The Teams SDK's ``TokenManager`` with the app's client credentials (MSAL)."""

    def __init__(self, app_id: str, app_password: str, tenant_id: str | None = None) -> None:
        with warnings.catch_warnings():  # the SDK's package warns of preview features
            warnings.filterwarnings("ignore", message=".*is in preview.*")
            from microsoft_teams.api import ClientCredentials
            from microsoft_teams.apps.token_manager import TokenManager

        credentials = ClientCredentials(
            client_id=app_id, client_secret=app_password, tenant_id=tenant_id
        )
        self._manager = TokenManager(credentials)

    def __repr__(self) -> str:
        return "SdkTokens(**********)"

    async def token(self) -> str | None:
        try:
            found = await self._manager.get_bot_token()
        except Exception as err:  # MSAL's errors may quote the request: log the type only
            log.error("Teams: kein Token für den Bot Connector (%s)", type(err).__name__)
            raise ConnectorError(CONNECTOR_FAILED) from None
        return str(found) if found is not None else None


def check_service_url(url: str) -> str:
    """``url`` without a trailing slash when our token may go there: https, or http on
    loopback; else :class:`ConnectorError`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        raise ConnectorError(BAD_ADDRESS)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
        return url.rstrip("/")
    raise ConnectorError(BAD_ADDRESS)


class BotConnector:
    """The Bot Connector's REST API (``/v3/conversations/…``)."""

    def __init__(self, tokens: ConnectorTokens, *, timeout_s: float = TIMEOUT_S) -> None:
        self.tokens = tokens
        self.timeout_s = timeout_s

    async def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        *,
        reply_to: str | None = None,
    ) -> str | None:
        """Post ``activity`` to the conversation (as a reply to ``reply_to``); the new
        activity's id (None when the connector names none)."""
        path = _activities(conversation_id)
        if reply_to:
            path += f"/{quote(reply_to, safe='')}"
        answer = await self._call("POST", service_url, path, activity)
        found = answer.get("id") if isinstance(answer, dict) else None
        return found if isinstance(found, str) else None

    async def create_conversation(
        self, service_url: str, bot: dict[str, Any], member_id: str, tenant_id: str | None
    ) -> str:
        """A personal conversation of the bot with ``member_id`` (a message the user did not
        ask for, e.g. the Mitzeichnung's card); its id."""
        body: dict[str, Any] = {"bot": bot, "members": [{"id": member_id}], "isGroup": False}
        if tenant_id:
            body["tenantId"] = tenant_id
            body["channelData"] = {"tenant": {"id": tenant_id}}
        answer = await self._call("POST", service_url, "/v3/conversations", body)
        found = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(found, str) or not found:
            raise ConnectorError(CONNECTOR_FAILED)
        return found

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        """Replace the activity ``activity_id`` (the status card) with ``activity``."""
        path = f"{_activities(conversation_id)}/{quote(activity_id, safe='')}"
        await self._call("PUT", service_url, path, {**activity, "id": activity_id})

    async def upload(self, upload_url: str, data: bytes) -> None:
        """Put ``data`` at the upload address Teams gave for an accepted file (OneDrive);
        no token of ours goes there."""
        check_service_url(upload_url)
        headers = {
            "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
            "Content-Type": "application/octet-stream",
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.put(upload_url, content=data, headers=headers)
                response.raise_for_status()
        except httpx.HTTPError as err:
            log.error("Teams: Hochladen fehlgeschlagen (%s)", type(err).__name__)
            raise ConnectorError(CONNECTOR_FAILED) from None

    async def _call(self, method: str, service_url: str, path: str, body: dict[str, Any]) -> Any:
        url = check_service_url(service_url) + path
        headers = {"Content-Type": "application/json"}
        token = await self.tokens.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.request(method, url, json=body, headers=headers)
        except httpx.HTTPError as err:
            log.error("Teams: Bot Connector nicht erreichbar (%s)", type(err).__name__)
            raise ConnectorError(CONNECTOR_FAILED) from None
        if response.status_code >= 400:
            log.error("Teams: Bot Connector antwortet %d auf %s", response.status_code, method)
            raise ConnectorError(CONNECTOR_FAILED)
        try:
            return response.json() if response.content else None
        except ValueError:
            return None


def _activities(conversation_id: str) -> str:
    return f"/v3/conversations/{quote(conversation_id, safe='')}/activities"
