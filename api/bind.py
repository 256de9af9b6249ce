"""The bind rule (docs/security.md): without API keys or users the server listens on loopback
only, and says at its start who can reach it with which rights."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from api.sessions import AccessSettingsError

if TYPE_CHECKING:
    from api.auth import ServerConfig

__all__ = ["BindError", "check_bind", "is_loopback"]


class BindError(AccessSettingsError):
    """The server may not listen there without keys or users."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address, ``[::1]`` or a name) is this machine only."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def check_bind(host: str, server: ServerConfig, port: int | None = None) -> str:
    """The German start message for listening on ``host``; refuses an address beyond this
    machine when no keys and no users are configured.

    Raises:
        BindError: ``host`` is not loopback and nobody is configured to authenticate.
    """
    where = f"http://{_url_host(host)}:{port or server.port}"
    if not server.api_keys and not server.users:
        if not is_loopback(host):
            raise BindError(
                f"Ohne API-Schlüssel oder Benutzer (server.api_keys, server.users) darf der "
                f"Server nur auf 127.0.0.1, ::1 oder localhost lauschen, nicht auf {host}. "
                "Schlüssel erzeugt „vorlagen schluessel neu“ (docs/security.md)."
            )
        rights = ", ".join(server.local_rights) or "keine"
        return (
            f"Vorlagen-Assistent unter {where}: ohne API-Schlüssel und Benutzer nur für diesen "
            f"Rechner erreichbar; Rechte lokaler Anfragen (server.local_rights): {rights}."
        )
    return (
        f"Vorlagen-Assistent unter {where}: {len(server.api_keys)} API-Schlüssel, "
        f"{len(server.users)} Benutzer eingerichtet; jede Anfrage braucht eine Anmeldung."
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
