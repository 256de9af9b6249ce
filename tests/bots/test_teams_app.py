"""The Teams bot end to end through the real app: real signed JWTs checked against a local
OpenID/JWKS endpoint, the real store (Chroma and BM25 with the bundled embedder) and draft
archive (SQLite), a scripted chat model, and a local fake Bot Connector that records the
cards the bot sends (it takes any bearer token)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bots.teams_app import TeamsBot
from api.bots.teams_connector import NoTokens, SdkTokens
from api.container import build_services
from assistant import presenter_bots
from assistant.ports import BackendError
from assistant.settings import Settings, SettingsError, load_settings
from assistant.usecases.chat import HELP
from tests.api.test_app import CANARY, EchoChat, store_dir  # noqa: F401 (fixture)
from tests.bots.teams_servers import (
    APP_ID,
    ConnectorCall,
    FakeConnector,
    KeyPublisher,
    fake_connector,
    key_publisher,
    new_key,
)
from tests.bots.test_teams_cards import card_texts

pytestmark = pytest.mark.slow  # the real store with the bundled embedder

CLERK = "29:clerk-teams-id"
CLERK_AAD = "11111111-2222-3333-4444-555555555555"
STRANGER = "29:stranger"
BOT = "28:" + APP_ID
PUBLIC_URL = "https://vorlagen.example.de/"
CONNECTOR_TOKEN = "token-from-msal-in-production"


class FixedTokens:
    """Stands in for MSAL (which would ask login.microsoftonline.com)."""

    async def token(self) -> str | None:
        return CONNECTOR_TOKEN


class FailingChat(EchoChat):
    """A chat model that is down."""

    def _answer(self, messages: Any, schema: Any = None) -> str:
        raise BackendError("Das Sprachmodell antwortet nicht; bitte später erneut versuchen.")


@dataclass
class Teams:
    client: TestClient
    keys: KeyPublisher
    connector: FakeConnector
    bot: TeamsBot

    def activity(
        self,
        text: str,
        *,
        user: str = CLERK,
        aad: str | None = None,
        channel: bool = False,
        activity_id: str = "msg-1",
        mention: bool = True,
        **extra: Any,
    ) -> dict[str, Any]:
        conversation = (
            {"id": "19:abc@thread.tacv2;messageid=777", "conversationType": "channel"}
            if channel
            else {"id": f"a:personal-{user}", "conversationType": "personal"}
        )
        sender: dict[str, Any] = {"id": user, "name": "Erika"}
        if aad:
            sender["aadObjectId"] = aad
        body: dict[str, Any] = {
            "type": "message",
            "id": activity_id,
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": sender,
            "recipient": {"id": BOT, "name": "Vorlagen"},
            "conversation": conversation,
            "text": f"<at>Vorlagen</at> {text}" if channel and mention else text,
        }
        if channel and mention:
            body["entities"] = [
                {"type": "mention", "text": "<at>Vorlagen</at>", "mentioned": {"id": BOT}}
            ]
        body.update(extra)
        return body

    def post(self, activity: dict[str, Any], token: str | None = "valid", **kwargs: Any) -> Any:
        if token == "valid":
            token = self.keys.token(service_url=self.connector.url)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post("/api/messages", json=activity, headers=headers, **kwargs)

    def idle(self) -> None:
        """Wait until the bot's background work is done."""
        portal = self.client.portal
        assert portal is not None
        portal.call(self.bot.idle)

    def cards(self, calls: list[ConnectorCall]) -> list[dict[str, Any]]:
        return [
            a["content"]
            for c in calls
            for a in c.body.get("attachments", [])
            if a["contentType"] == "application/vnd.microsoft.card.adaptive"
        ]


def _settings(tmp_path: Path, keys: KeyPublisher, **teams: Any) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": tmp_path,
            "bots": {
                "teams": {
                    "enabled": True,
                    "app_id": APP_ID,
                    "app_password": "geheim",
                    "openid_metadata_url": keys.metadata_url,
                    **teams,
                },
                "users": [
                    {
                        "platform": "teams",
                        "user_id": CLERK_AAD,
                        "name": "Erika Muster",
                        "rights": ["nichtoeffentlich"],
                    }
                ],
                "public_url": PUBLIC_URL,
            },
        }
    )


@pytest.fixture
def teams(store_dir: Path, tmp_path: Path) -> Iterator[Teams]:  # noqa: F811 (the fixture)
    with key_publisher() as keys, fake_connector() as connector:
        yield from _teams(store_dir, tmp_path, keys, connector, EchoChat())


def _teams(
    store: Path,
    tmp_path: Path,
    keys: KeyPublisher,
    connector: FakeConnector,
    chat: EchoChat,
    **teams_settings: Any,
) -> Iterator[Teams]:
    services = build_services(_settings(tmp_path, keys, **teams_settings))
    services.__dict__["chat_model"] = chat
    app = create_app(services, store_dir=store)
    bot: TeamsBot = app.state.teams_bot
    if not teams_settings.get("test_mode"):
        assert isinstance(bot.connector.tokens, SdkTokens)  # MSAL in production ...
        bot.connector.tokens = FixedTokens()  # ... which would ask login.microsoftonline.com
    client = TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    with client:
        yield Teams(client, keys, connector, bot)


def _done(calls: list[ConnectorCall]) -> bool:
    """The draft's result replaced the status card (it has actions)."""
    return any("actions" in a["content"] for c in calls for a in c.body.get("attachments", []))


# --- authentication -----------------------------------------------------------------------------


def test_valid_token_gets_a_reply_card(teams: Teams) -> None:
    response = teams.post(teams.activity("hilfe"))
    assert response.status_code == 200, response.text
    calls = teams.connector.wait_for(lambda calls: len(calls) >= 1)
    call = calls[0]
    assert call.method == "POST"
    assert call.path == "/v3/conversations/a%3Apersonal-29%3Aclerk-teams-id/activities/msg-1"
    assert call.authorization == f"Bearer {CONNECTOR_TOKEN}"
    assert call.body["replyToId"] == "msg-1"
    assert call.body["from"]["id"] == BOT and call.body["recipient"]["id"] == CLERK
    texts = card_texts(teams.cards(calls)[0])
    assert texts[0] == HELP.splitlines()[0]


@pytest.mark.parametrize(
    "case",
    ["no token", "wrong audience", "wrong issuer", "expired", "bad signature", "alg none"],
)
def test_refused_tokens_get_401(teams: Teams, case: str) -> None:
    keys = teams.keys
    url = teams.connector.url
    token = {
        "no token": None,
        "wrong audience": keys.token(audience="other-app", service_url=url),
        "wrong issuer": keys.token(issuer="https://login.evil.example", service_url=url),
        "expired": keys.token(expires_in=-3600, service_url=url),
        "bad signature": keys.token(key=new_key(), service_url=url),
        "alg none": _unsigned(
            {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": 9999999999}
        ),
    }[case]
    response = teams.post(teams.activity("hilfe"), token=token)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Die Anfrage ist nicht" if token is None else "Das")
    teams.idle()
    assert teams.connector.calls == []


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'kid': 'key-1', 'typ': 'JWT'})}.{part(claims)}."


def test_service_url_other_than_the_tokens_is_refused(teams: Teams) -> None:
    token = teams.keys.token(service_url="https://smba.trafficmanager.net/de/")
    response = teams.post(teams.activity("hilfe"), token=token)
    assert response.status_code == 401
    assert teams.connector.calls == []


def test_production_without_credentials_refuses_to_start() -> None:
    for teams in ({"enabled": True}, {"enabled": True, "app_id": APP_ID}):
        with pytest.raises(SettingsError) as caught:
            load_settings({"bots": {"teams": teams}})
        assert "bots.teams" in str(caught.value)
    assert load_settings({"bots": {"teams": {"enabled": True, "test_mode": True}}})


# --- answers ----------------------------------------------------------------------------------

DRAFT = (
    "Entwurf: Fortschreibung des Integrationskonzepts, Gemeinderat entscheidet am 12.3.; "
    "Fakten: Konzept von 2019 fortgeschrieben; Beteiligung des Migrationsbeirats; "
    "Finanzen: keine"
)


def test_draft_moves_one_status_card_to_the_result(teams: Teams) -> None:
    response = teams.post(teams.activity(DRAFT, aad=CLERK_AAD))
    assert response.status_code == 200
    calls = teams.connector.wait_for(_done, timeout_s=120)
    teams.idle()
    calls = teams.connector.calls
    first, *later = calls
    assert first.method == "POST"
    status_id = first.path  # the reply's id is the last part of the URL the fake answered
    assert card_texts(teams.cards([first]))[0] == presenter_bots.DRAFT_STARTED
    updates = [c for c in later if c.method == "PUT"]
    assert updates, "the status card is updated"
    activity_ids = {c.path.rsplit("/", 1)[-1] for c in updates}
    assert len(activity_ids) == 1 and all(c.body["id"] in activity_ids for c in updates)
    assert status_id.endswith("/activities/msg-1")  # a reply to the clerk's message
    steps = [card_texts(card) for card in teams.cards(updates)]
    assert any(any("Quellen gefunden" in t for t in texts) for texts in steps)
    assert any("Sachdarstellung ist geschrieben." in texts for texts in steps)
    result = teams.cards(updates)[-1]
    texts = card_texts(result)
    assert texts[0] == "Entwurf: Fortschreibung des Integrationskonzepts"
    for title in ("Beschlussvorschlag", "Sachdarstellung", "Prüfung", "Quellen"):
        assert title in texts
    assert any("Konzept von 2019 fortgeschrieben" in t for t in texts)
    assert any(t.startswith("[1] ") for t in texts)
    source_runs = [
        run
        for block in result["body"]
        for run in block.get("inlines", [])
        if run["text"].startswith("[1] ")
    ]
    link = source_runs[0]["selectAction"]
    assert link["type"] == "Action.OpenUrl" and link["url"].startswith(f"{PUBLIC_URL}vorlage/")
    actions = {a["title"]: a for a in result["actions"]}
    draft_id = actions["Als Word-Datei"]["data"]["entwurf"]
    assert actions["Im Browser öffnen"]["url"] == f"{PUBLIC_URL}entwurf/{draft_id}"
    # the draft is the clerk's, under the configured name
    record = teams.client.app.state.archive.get(draft_id, allow_nonpublic=True)  # type: ignore[attr-defined]
    assert record is not None and record.created_by == "Erika Muster"


def test_channel_search_never_shows_the_nonpublic_canary(teams: Teams) -> None:
    query = f"suche {CANARY}"
    # the clerk may see nichtöffentliche Vorlagen: in a personal chat the canary is found ...
    teams.post(teams.activity(query, aad=CLERK_AAD, activity_id="p-1"))
    personal = teams.connector.wait_for(lambda calls: len(calls) >= 1)
    assert any("2099/0001" in t for t in card_texts(teams.cards(personal)))
    # ... in a channel never, whoever asks
    teams.post(teams.activity(query, aad=CLERK_AAD, channel=True, activity_id="c-1"))
    calls = teams.connector.wait_for(lambda calls: len(calls) >= 2)
    channel = teams.cards([calls[1]])[0]
    assert calls[1].path.endswith("/activities/c-1")
    assert "19%3Aabc%40thread.tacv2%3Bmessageid%3D777" in calls[1].path
    texts = card_texts(channel)
    assert texts[0].endswith(f"„{CANARY}“:")  # the query itself, then hits without the canary
    dumped = json.dumps(channel, ensure_ascii=False)
    assert "2099/0001" not in dumped and "vertraulicher Sachstand" not in dumped
    assert CANARY not in "".join(texts[1:])


def test_channel_message_without_mention_is_not_answered(teams: Teams) -> None:
    response = teams.post(teams.activity("hilfe", channel=True, mention=False))
    assert response.status_code == 200
    teams.idle()
    assert teams.connector.calls == []


def test_repeated_delivery_is_answered_once(teams: Teams) -> None:
    activity = teams.activity("hilfe", activity_id="same")
    assert teams.post(activity).status_code == 200
    assert teams.post(activity).status_code == 200
    teams.idle()
    assert len(teams.connector.calls) == 1


def test_failure_is_told_in_german_on_the_status_card(
    store_dir: Path,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    with key_publisher() as keys, fake_connector() as connector:
        for teams in _teams(store_dir, tmp_path, keys, connector, FailingChat()):
            teams.post(teams.activity(DRAFT))
            teams.connector.wait_for(lambda calls: len(calls) >= 2, timeout_s=60)
            teams.idle()
            calls = teams.connector.calls
            first, *later = calls
            assert first.method == "POST" and later
            assert {c.method for c in later} == {"PUT"}
            assert len({c.path for c in later}) == 1  # always the one status card
            last = later[-1]
            run = teams.cards([last])[0]["body"][0]["inlines"][0]
            assert run["color"] == "Attention"
            assert run["text"] == "Das Sprachmodell antwortet nicht; bitte später erneut versuchen."


def test_word_button_offers_and_uploads_the_stored_version(teams: Teams) -> None:
    teams.post(teams.activity(DRAFT, aad=CLERK_AAD))
    teams.connector.wait_for(_done, timeout_s=120)
    teams.idle()
    result = teams.cards(teams.connector.calls)[-1]
    draft_id = result["actions"][0]["data"]["entwurf"]
    before = len(teams.connector.calls)
    invoke = teams.activity("", aad=CLERK_AAD, activity_id="inv-1")
    invoke.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "word", "data": {"entwurf": draft_id}}},
    )
    answer = teams.post(invoke)
    assert answer.status_code == 200
    assert answer.json() == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": presenter_bots.WORD_OFFERED,
    }
    calls = teams.connector.wait_for(lambda calls: len(calls) > before)
    consent = calls[before].body["attachments"][0]
    assert consent["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert consent["name"] == f"entwurf-{draft_id}.docx"
    assert consent["content"]["acceptContext"] == {"entwurf": draft_id}
    # the user accepts: Teams names where to upload (here: the fake server)
    accept = teams.activity("", aad=CLERK_AAD, activity_id="inv-2")
    accept.update(
        type="invoke",
        name="fileConsent/invoke",
        value={
            "type": "fileUpload",
            "action": "accept",
            "context": {"entwurf": draft_id},
            "uploadInfo": {
                "name": f"entwurf-{draft_id}.docx",
                "uploadUrl": f"{teams.connector.url}/upload/abc",
                "contentUrl": "https://onedrive.example/entwurf.docx",
                "uniqueId": "u-1",
                "fileType": "docx",
            },
        },
    )
    assert teams.post(accept).status_code == 200
    teams.idle()
    upload = next(c for c in teams.connector.calls if c.path == "/upload/abc")
    assert upload.method == "PUT" and upload.authorization is None  # no token of ours there
    assert upload.raw.startswith(b"PK")  # a DOCX is a zip file
    assert upload.headers["Content-Range"] == f"bytes 0-{len(upload.raw) - 1}/{len(upload.raw)}"
    info = teams.connector.calls[-1].body["attachments"][0]
    assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert info["content"] == {"uniqueId": "u-1", "fileType": "docx"}


def test_word_button_in_a_channel_points_to_the_browser(teams: Teams) -> None:
    invoke = teams.activity("", channel=True, activity_id="inv-3")
    invoke.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "word", "data": {"entwurf": "x"}}},
    )
    answer = teams.post(invoke)
    assert answer.json()["value"] == presenter_bots.WORD_ONLY_DIRECT
    unknown = teams.activity("", activity_id="inv-4")
    unknown.update(type="invoke", name="adaptiveCard/action", value={"action": {"verb": "x"}})
    assert teams.post(unknown).json()["value"] == presenter_bots.UNKNOWN_ACTION
    missing = teams.activity("", activity_id="inv-5")
    missing.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"verb": "word", "data": {"entwurf": "gibt-es-nicht"}}},
    )
    assert teams.post(missing).json()["value"] == presenter_bots.NOT_YOUR_CONVERSATION


# --- the local test mode --------------------------------------------------------------------------


def test_test_mode_takes_only_loopback(
    store_dir: Path,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    with key_publisher() as keys, fake_connector() as connector:
        for teams in _teams(
            store_dir, tmp_path, keys, connector, EchoChat(), test_mode=True, app_password=None
        ):
            assert teams.post(teams.activity("hilfe"), token=None).status_code == 200
            calls = teams.connector.wait_for(lambda calls: len(calls) >= 1)
            assert isinstance(teams.bot.connector.tokens, NoTokens)
            assert calls[0].authorization is None  # no credentials, no token
            far = TestClient(teams.client.app, base_url="http://127.0.0.1", client=("10.1.2.3", 1))
            refused = far.post("/api/messages", json=teams.activity("hilfe", activity_id="m-2"))
            assert refused.status_code == 401
            assert refused.json()["detail"] == (
                "Im Testmodus nimmt der Teams-Bot nur Anfragen von diesem Rechner an."
            )
            elsewhere = teams.activity(
                "hilfe", activity_id="m-3", serviceUrl="https://evil.example/"
            )
            assert teams.post(elsewhere, token=None).status_code == 401
