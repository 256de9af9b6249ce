"""The settings of the Slack and Teams bots (``[bots]`` in vorlagen.toml; docs/bots.md).

Both bots are off until configured. Each platform has its own section (``bots.slack``,
``bots.teams``); what they share is here: who a platform user is to the assistant
(``bots.users``: a platform user id mapped to a name and rights, as for API keys and users)
and who may approve drafts (``bots.approvers``, the Mitzeichnung). Secrets are ``SecretStr``:
they never appear in logs, reprs or validation errors.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from assistant.schema import rule_error
from assistant.settings_access import ACCESS_NAME_PATTERN, Right

__all__ = ["BotSettings", "BotUserSettings", "Platform", "SlackSettings", "TeamsSettings"]

Platform = Literal["slack", "teams"]


class BotUserSettings(BaseModel):
    """One platform user the assistant knows: in a direct message the bot acts with
    ``rights``; in a channel it uses öffentliche Vorlagen only, whoever asks. ``name`` is who
    the user is in logs, the audit log and the draft archive (the same names as API keys and
    web users, so that a clerk's drafts are one list)."""

    model_config = ConfigDict(extra="forbid")

    platform: Platform
    user_id: str = Field(min_length=1, max_length=200, pattern=r"^[!-~]+$")
    name: str = Field(pattern=ACCESS_NAME_PATTERN)
    rights: list[Right] = Field(default_factory=list)
    approver: bool = Field(default=False, description="May decide on a Mitzeichnung.")


class SlackSettings(BaseModel):
    """The Slack app (docs/bots.md): HTTP mode at ``/slack/events``, or Socket Mode."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    signing_secret: SecretStr | None = None
    bot_token: SecretStr | None = None
    socket_mode: bool = False
    app_token: SecretStr | None = Field(default=None, description="xapp-… for Socket Mode.")
    api_url: str = Field(
        default="https://slack.com/api/",
        pattern=r"^https?://",
        description="Slack's Web API (tests: a local recording server).",
    )

    @model_validator(mode="after")
    def _complete(self) -> SlackSettings:
        """An enabled Slack bot refuses to start without what it needs: the bot token, the
        signing secret (every request is verified with it) and, for Socket Mode, the app
        token."""
        if not self.enabled:
            return self
        if self.bot_token is None:
            raise rule_error(
                "slack",
                "Der Slack-Bot ist eingeschaltet, aber bots.slack.bot_token (xoxb-…) fehlt.",
            )
        if self.signing_secret is None or not self.signing_secret.get_secret_value():
            raise rule_error(
                "slack",
                "Der Slack-Bot ist eingeschaltet, aber bots.slack.signing_secret fehlt; ohne "
                "ihn startet er nicht.",
            )
        if self.socket_mode and self.app_token is None:
            raise rule_error("slack", "Für den Socket Mode fehlt bots.slack.app_token (xapp-…).")
        return self


class TeamsSettings(BaseModel):
    """The Teams app (docs/bots.md) at ``/api/messages``."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    app_id: str | None = None
    app_password: SecretStr | None = None
    tenant_id: str | None = None
    service_url: str | None = Field(
        default=None,
        description="The Bot Connector address for the cards the bot sends first (a "
        "Mitzeichnung asked for over HTTP), e.g. https://smba.trafficmanager.net/emea/; the "
        "address of the last activity received replaces it.",
    )
    openid_metadata_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="Where the Bot Framework's signing keys are published (tests: a local one).",
    )
    test_mode: bool = Field(
        default=False,
        description="Accept unauthenticated requests; only on loopback, never in production.",
    )

    @model_validator(mode="after")
    def _service_url(self) -> TeamsSettings:
        """Our token goes to ``service_url``: https only (http on this machine, for tests)."""
        if self.service_url is None:
            return self
        parts = urlsplit(self.service_url)
        local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")
        if not parts.hostname or not (parts.scheme == "https" or local):
            raise rule_error(
                "teams",
                f"bots.teams.service_url „{self.service_url}“ ist keine https-Adresse.",
            )
        return self

    @model_validator(mode="after")
    def _complete(self) -> TeamsSettings:
        """An enabled Teams bot refuses to start without its credentials (app id and
        password: every request's token is checked against the app id, every reply needs a
        token for the password), unless the local test mode is explicitly on."""
        if not self.enabled or self.test_mode:
            return self
        if not self.app_id:
            raise rule_error(
                "teams", "Der Teams-Bot ist eingeschaltet, aber bots.teams.app_id fehlt."
            )
        if self.app_password is None or not self.app_password.get_secret_value():
            raise rule_error(
                "teams", "Der Teams-Bot ist eingeschaltet, aber bots.teams.app_password fehlt."
            )
        return self


class BotSettings(BaseModel):
    """The bots, the platform users they know, and the public address of the page (for
    "Im Browser öffnen")."""

    model_config = ConfigDict(extra="forbid")

    slack: SlackSettings = Field(default_factory=SlackSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    users: list[BotUserSettings] = Field(default_factory=list)
    public_url: str | None = Field(
        default=None, description="The page's address as clerks reach it, e.g. https://…/"
    )
