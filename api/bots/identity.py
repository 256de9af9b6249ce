"""Who a platform user is to the assistant, and what they may see in this conversation.

``bots.users`` maps a platform user id to a name and rights (the names of API keys and web
users, so that a clerk's drafts are one list). The rules (issue 12, docs/bots.md):

* a known user in a **direct message** acts with their own rights;
* in a **channel** nobody sees nichtöffentliche Vorlagen, whoever asks (others read along);
* an **unknown** user has no rights; their name is ``<platform>-<user id>`` (characters a
  name may not hold replaced by ``-``), so that their drafts are still theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Identity", "Users", "unknown_name"]

NONPUBLIC = "nichtoeffentlich"
_NOT_IN_NAME = re.compile(r"[^\w.@-]")
MAX_NAME = 64


class BotUser(Protocol):
    """One entry of ``bots.users`` (``assistant.settings_bots.BotUserSettings``)."""

    @property
    def platform(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def rights(self) -> Iterable[str]: ...
    @property
    def approver(self) -> bool: ...


@dataclass(frozen=True)
class Identity:
    """The asking user in one conversation: ``name`` (logs, audit log, draft archive),
    ``may_see_nonpublic`` (already false in a channel), ``known`` (configured in
    ``bots.users``) and ``approver`` (may decide on a Mitzeichnung)."""

    name: str
    may_see_nonpublic: bool = False
    known: bool = False
    approver: bool = False


def unknown_name(platform: str, user_id: str) -> str:
    """The name of a user not in ``bots.users``: ``slack-U123``; at most 64 characters."""
    return f"{platform}-{_NOT_IN_NAME.sub('-', user_id)}"[:MAX_NAME]


class Users:
    """The configured platform users, looked up by platform and user id."""

    def __init__(self, users: Iterable[BotUser]) -> None:
        self._users = {(u.platform, u.user_id): u for u in users}

    def identify(self, platform: str, user_id: str, *, direct: bool) -> Identity:
        """Who ``user_id`` is; ``direct``: a direct message (else a channel, no
        nichtöffentliche Vorlagen for anyone)."""
        user = self._users.get((platform, user_id))
        if user is None:
            return Identity(unknown_name(platform, user_id))
        return Identity(
            user.name,
            may_see_nonpublic=direct and NONPUBLIC in user.rights,
            known=True,
            approver=user.approver,
        )
