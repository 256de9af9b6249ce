"""Who may call the service: API keys, web users and their rights (``server.api_keys``,
``server.users``; docs/security.md). The bots map platform users onto the same names and rights
(``assistant.settings_bots``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = [
    "ACCESS_NAME_PATTERN",
    "HEX_DIGITS",
    "AccessEntry",
    "ApiKeySettings",
    "Right",
    "UserSettings",
]

Right = Literal["nichtoeffentlich", "ingest", "mitzeichnen"]
"""What a caller may do beyond searching public papers: see nichtöffentliche Vorlagen; ingest;
decide on a Mitzeichnung (approve or return a draft sent to them). Bot users are approvers
with ``approver = true`` instead (``assistant.settings_bots``)."""

# Names of keys and users: they appear in logs and the audit log, so no control characters.
ACCESS_NAME_PATTERN = r"^[\w.@-][\w .@-]{0,63}$"
HEX_DIGITS = frozenset("0123456789abcdef")


class AccessEntry(BaseModel):
    """What API keys and users share: a name (in logs and the audit log) and rights."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=ACCESS_NAME_PATTERN, description="Who calls: logs, audit log.")
    rights: list[Right] = Field(default_factory=list)


class ApiKeySettings(AccessEntry):
    """One API key for programs (bots, other systems). Only its hash is configured:
    ``sha256:`` and 64 hex digits of the key, printed by ``vorlagen schluessel neu``."""

    hash: SecretStr = Field(description="sha256:<64 hex digits> of the key.")

    @field_validator("hash")
    @classmethod
    def _sha256(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value().strip().lower()
        prefix, _, digits = text.partition(":")
        if prefix != "sha256" or len(digits) != 64 or not set(digits) <= HEX_DIGITS:
            raise ValueError("an API key hash is 'sha256:' and 64 hex digits")
        return SecretStr(text)


class UserSettings(AccessEntry):
    """One person who logs in on the web page (``name`` is the login name), with an argon2id
    password hash (printed by ``vorlagen schluessel benutzer``)."""

    password_hash: SecretStr = Field(description="An argon2id hash ($argon2id$...).")

    @field_validator("password_hash")
    @classmethod
    def _argon2id(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("$argon2id$"):
            raise ValueError("a password hash is an argon2id hash ($argon2id$...)")
        return value
