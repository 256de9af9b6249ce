"""Access to the HTTP service (api/auth.py, api/sessions.py): API keys, users with sessions,
CSRF, the local mode and the bind rule, through a tiny FastAPI app with real HTTP semantics
(TestClient) and real argon2 hashes (fast parameters)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Annotated, Any

import pytest
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Form, Request, Response
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from api import sessions
from api.auth import (
    NAME_PATTERN,
    Access,
    AccessSettingsError,
    BindError,
    Caller,
    SessionInfo,
    caller_from_request,
    check_bind,
    hash_api_key,
    install_access,
    is_loopback,
    login,
    logout,
    new_api_key,
    require_caller,
    require_ingest,
    session_info,
)
from api.sessions import COOKIE_NAME, CSRF_HEADER
from assistant.settings import (
    ServerSettings,
    Settings,
    SettingsError,
    load_settings,
)
from assistant.settings_access import ACCESS_NAME_PATTERN

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "korrekt-pferd-batterie"
SECRET = "s" * 40
ANNA_HASH = FAST.hash(PASSWORD)
BASE = "http://127.0.0.1:8000"
LOOPBACK_CLIENT = ("127.0.0.1", 50000)

READER = new_api_key()  # sees public papers only
INGESTER = new_api_key()  # may ingest, see nichtöffentliche Vorlagen and approve


def server(**overrides: Any) -> ServerSettings:
    config: dict[str, Any] = {
        "api_keys": [
            {"name": "leser", "hash": READER.hash},
            {
                "name": "import",
                "hash": INGESTER.hash,
                "rights": ["ingest", "nichtoeffentlich", "mitzeichnen"],
            },
        ],
        "users": [{"name": "anna", "password_hash": ANNA_HASH, "rights": ["nichtoeffentlich"]}],
        "session_secret": SECRET,
        "session_max_age_s": 3600,
    }
    config.update(overrides)
    return ServerSettings.model_validate(config)


def make_app(config: ServerSettings) -> FastAPI:
    app = FastAPI()
    install_access(app, Access(config))

    @app.get("/api/wer")
    def whoami(caller: Annotated[Caller, Depends(require_caller)]) -> dict[str, Any]:
        return asdict(caller)

    @app.get("/api/offen")
    def open_route(
        caller: Annotated[Caller | None, Depends(caller_from_request)],
    ) -> dict[str, Any]:
        return {"caller": asdict(caller) if caller else None}

    @app.post("/api/drafts")
    def create(caller: Annotated[Caller, Depends(require_caller)]) -> dict[str, Any]:
        return asdict(caller)

    @app.post("/api/ingest")
    def ingest(caller: Annotated[Caller, Depends(require_ingest)]) -> dict[str, Any]:
        return asdict(caller)

    @app.post("/api/login")
    def post_login(
        request: Request,
        response: Response,
        name: Annotated[str, Form()],
        password: Annotated[str, Form()],
    ) -> SessionInfo:
        return login(request, response, name, password)

    @app.post("/api/logout", status_code=204)
    def post_logout(request: Request, response: Response) -> None:
        logout(request, response)

    @app.get("/api/session")
    def get_session(request: Request) -> SessionInfo:
        return session_info(request)

    return app


def client(config: ServerSettings | None = None, base_url: str = BASE) -> TestClient:
    return TestClient(make_app(config or server()), base_url=base_url, client=LOOPBACK_CLIENT)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def logged_in(http: TestClient) -> str:
    """Log ``anna`` in; returns the CSRF token."""
    answer = http.post("/api/login", data={"name": "anna", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token = answer.json()["csrf_token"]
    assert isinstance(token, str) and len(token) >= 32
    return token


def assert_401(answer: Any, detail: str | None = None) -> None:
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    text = answer.json()["detail"]
    assert detail is None or detail in text
    assert any(word in text for word in ("Anmeldung", "Schlüssel", "Passwort", "anmelden"))


# --- API keys ------------------------------------------------------------------------------


def test_a_valid_key_is_its_caller_with_its_rights() -> None:
    http = client()
    assert http.get("/api/wer", headers=bearer(READER.key)).json() == {
        "name": "leser",
        "kind": "key",
        "may_see_nonpublic": False,
        "may_ingest": False,
        "may_approve": False,
    }
    answer = http.get("/api/wer", headers=bearer(INGESTER.key)).json()
    assert answer["name"] == "import" and answer["may_ingest"] and answer["may_see_nonpublic"]
    assert answer["may_approve"]


def test_a_wrong_or_missing_key_gets_401_in_german_with_a_bearer_challenge() -> None:
    http = client()
    wrong = http.get("/api/wer", headers=bearer("va_" + "x" * 43))
    assert_401(wrong, "Der API-Schlüssel ist ungültig.")
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert_401(http.get("/api/wer"), "Anmeldung erforderlich")
    assert_401(http.get("/api/wer", headers={"Authorization": "Basic YW5uYTpnZWhlaW0="}))
    assert_401(http.get("/api/wer", headers={"Authorization": "Bearer"}))
    assert_401(http.get("/api/wer", headers=bearer("k" * 5000)))
    # a wrong key is refused on an open route too; no credentials there is fine
    assert_401(http.get("/api/offen", headers=bearer("falsch")))
    assert http.get("/api/offen").json() == {"caller": None}


def test_rights_are_checked_with_403_in_german() -> None:
    http = client()
    refused = http.post("/api/ingest", headers=bearer(READER.key))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Dieser Zugang darf keine Vorlagen einlesen."
    assert http.post("/api/ingest", headers=bearer(INGESTER.key)).status_code == 200
    assert_401(http.post("/api/ingest"))


def test_bearer_requests_need_no_csrf_token_and_win_over_a_cookie() -> None:
    http = client()
    logged_in(http)
    answer = http.post("/api/drafts", headers=bearer(READER.key))
    assert answer.status_code == 200 and answer.json()["name"] == "leser"


def test_new_keys_are_random_and_hashed_with_sha256() -> None:
    first, second = new_api_key(), new_api_key()
    assert first.key != second.key and first.key.startswith("va_") and len(first.key) >= 40
    assert first.hash == hash_api_key(first.key)
    assert first.hash.startswith("sha256:") and len(first.hash) == 7 + 64


# --- users and sessions --------------------------------------------------------------------


def test_login_sets_a_safe_cookie_and_the_session_is_a_user_caller() -> None:
    http = client()
    answer = http.post("/api/login", data={"name": "anna", "password": PASSWORD})
    assert answer.status_code == 200
    info = answer.json()
    assert info["name"] == "anna" and info["may_see_nonpublic"] and not info["may_ingest"]
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=3600" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    assert http.get("/api/wer").json() == {
        "name": "anna",
        "kind": "user",
        "may_see_nonpublic": True,
        "may_ingest": False,
        "may_approve": False,
    }
    assert http.get("/api/session").json()["csrf_token"] == info["csrf_token"]


def test_the_cookie_is_secure_over_https() -> None:
    http = client(base_url="https://vorlagen.example.de")
    answer = http.post("/api/login", data={"name": "anna", "password": PASSWORD})
    assert answer.status_code == 200
    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_or_an_unknown_user_gets_the_same_401() -> None:
    http = client()
    wrong = http.post("/api/login", data={"name": "anna", "password": "falsch"})
    unknown = http.post("/api/login", data={"name": "bert", "password": PASSWORD})
    assert_401(wrong, "Benutzername oder Passwort ist falsch.")
    assert_401(unknown, "Benutzername oder Passwort ist falsch.")
    assert "set-cookie" not in wrong.headers
    assert_401(http.get("/api/wer"))


def test_login_without_users_is_refused() -> None:
    http = client(server(users=[]))
    assert_401(http.post("/api/login", data={"name": "anna", "password": PASSWORD}))


def test_logout_ends_the_session() -> None:
    http = client()
    logged_in(http)
    answer = http.post("/api/logout")
    assert answer.status_code == 204
    assert (
        COOKIE_NAME in answer.headers["set-cookie"] and "Max-Age=0" in answer.headers["set-cookie"]
    )
    assert_401(http.get("/api/wer"), "Anmeldung erforderlich")
    assert_401(http.get("/api/session"))


def test_a_tampered_cookie_is_no_session() -> None:
    http = client()
    logged_in(http)
    value = http.cookies[COOKIE_NAME]
    payload, rest = value.split(".", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    http.cookies.set(COOKIE_NAME, f"{forged}.{rest}", domain="127.0.0.1", path="/")
    assert_401(http.get("/api/wer"), "abgelaufen oder ungültig")
    http.cookies.set(COOKIE_NAME, "kein-cookie", domain="127.0.0.1", path="/")
    assert_401(http.get("/api/wer"), "abgelaufen oder ungültig")


def test_a_cookie_signed_with_another_secret_is_no_session() -> None:
    other = client(server(session_secret="t" * 40))
    logged_in(other)
    http = client()
    http.cookies.set(COOKIE_NAME, other.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert_401(http.get("/api/wer"))


def test_an_expired_session_is_no_session(monkeypatch: pytest.MonkeyPatch) -> None:
    http = client()
    logged_in(http)
    assert http.get("/api/wer").status_code == 200
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + 3601)
    assert_401(http.get("/api/wer"), "abgelaufen oder ungültig")


def test_a_new_password_or_a_removed_user_ends_the_sessions() -> None:
    first = client()
    logged_in(first)
    cookie = first.cookies[COOKIE_NAME]
    same = client()
    same.cookies.set(COOKIE_NAME, cookie, domain="127.0.0.1", path="/")
    assert same.get("/api/wer").status_code == 200  # same secret, same user: still valid
    changed = server(users=[{"name": "anna", "password_hash": FAST.hash("ein-neues-passwort")}])
    removed = server(users=[{"name": "bert", "password_hash": FAST.hash(PASSWORD)}])
    for config in (changed, removed):
        later = client(config)
        later.cookies.set(COOKIE_NAME, cookie, domain="127.0.0.1", path="/")
        assert_401(later.get("/api/wer"))


def test_rights_come_from_the_settings_not_from_the_cookie() -> None:
    first = client()
    logged_in(first)
    fewer = server(users=[{"name": "anna", "password_hash": ANNA_HASH, "rights": []}])
    http = client(fewer)
    http.cookies.set(COOKIE_NAME, first.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert http.get("/api/wer").json()["may_see_nonpublic"] is False


def test_cookie_posts_need_the_csrf_token() -> None:
    http = client()
    token = logged_in(http)
    missing = http.post("/api/drafts")
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["detail"] and "X-CSRF-Token" in missing.json()["detail"]
    assert (
        http.post(
            "/api/drafts", headers={CSRF_HEADER: ("y" if token[0] == "x" else "x") + token[1:]}
        ).status_code
        == 403
    )
    answer = http.post("/api/drafts", headers={CSRF_HEADER: token})
    assert answer.status_code == 200 and answer.json()["name"] == "anna"
    assert http.get("/api/wer").status_code == 200  # safe methods need no token
    refused = http.post("/api/ingest", headers={CSRF_HEADER: token})
    assert refused.status_code == 403 and "einlesen" in refused.json()["detail"]


def test_a_login_from_another_web_origin_is_refused() -> None:
    http = client()
    for headers in ({"Origin": "https://boese.example"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = http.post(
            "/api/login", data={"name": "anna", "password": PASSWORD}, headers=headers
        )
        assert answer.status_code == 403 and "fremde" in answer.json()["detail"]
    same = http.post(
        "/api/login",
        data={"name": "anna", "password": PASSWORD},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 200


def test_without_a_configured_secret_logins_last_for_the_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sessions, "_process_secret", None)
    caplog.set_level(logging.WARNING, logger="vorlagen.auth")
    first, second = client(server(session_secret=None)), client(server(session_secret=None))
    logged_in(first)
    second.cookies.set(COOKIE_NAME, first.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert second.get("/api/wer").status_code == 200  # one process, one secret
    notes = [r.getMessage() for r in caplog.records if "session_secret" in r.getMessage()]
    assert len(notes) == 1 and "Neustart" in notes[0]
    # a configured secret is independent of the random one
    configured = client()
    configured.cookies.set(COOKIE_NAME, first.cookies[COOKIE_NAME], domain="127.0.0.1", path="/")
    assert_401(configured.get("/api/wer"))


def test_a_broken_password_hash_is_a_german_settings_error() -> None:
    config = server(users=[{"name": "anna", "password_hash": "$argon2id$kaputt"}])
    with pytest.raises(AccessSettingsError, match="kein gültiger argon2id-Hash"):
        Access(config)


# --- local mode and the bind rule ----------------------------------------------------------


def local(**overrides: Any) -> ServerSettings:
    return ServerSettings.model_validate(overrides)


def test_local_mode_callers_have_no_rights_by_default() -> None:
    http = client(local())
    assert http.get("/api/wer").json() == {
        "name": "lokal",
        "kind": "local",
        "may_see_nonpublic": False,
        "may_ingest": False,
        "may_approve": False,
    }
    assert http.post("/api/drafts").status_code == 200  # no token needed, nobody logs in
    assert http.post("/api/ingest").status_code == 403
    granted = client(local(local_rights=["ingest"]))
    assert granted.post("/api/ingest").json()["may_ingest"] is True
    for host in ("http://localhost:8000", "http://[::1]:8000"):
        assert client(local(), base_url=host).get("/api/wer").status_code == 200


def test_local_mode_refuses_what_does_not_come_from_this_machine() -> None:
    rebinding = client(local(), base_url="http://boese.example:8000")
    answer = rebinding.get("/api/wer")
    assert (
        answer.status_code == 403 and "nur Anfragen von diesem Rechner" in answer.json()["detail"]
    )
    remote = TestClient(make_app(local()), base_url=BASE, client=("192.0.2.7", 40000))
    assert remote.get("/api/wer").status_code == 403
    http = client(local())
    foreign = http.post("/api/drafts", headers={"Origin": "http://boese.example"})
    assert foreign.status_code == 403 and "fremde" in foreign.json()["detail"]
    assert http.post("/api/drafts", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert http.post("/api/drafts", headers={"Origin": BASE}).status_code == 200


def test_with_keys_configured_loopback_requests_must_authenticate_too() -> None:
    assert_401(client(server(users=[])).get("/api/wer"))


def test_check_bind_allows_loopback_only_without_keys_and_users() -> None:
    bare = local()
    for host in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"):
        message = check_bind(host, bare)
        assert "nur für diesen Rechner" in message and "keine" in message
    assert "[::1]:8000" in check_bind("::1", bare)
    assert "ingest" in check_bind("127.0.0.1", local(local_rights=["ingest"]), port=9000)
    for host in ("0.0.0.0", "::", "192.168.1.5", "vorlagen.example.de", ""):
        with pytest.raises(BindError) as refused:
            check_bind(host, bare)
        assert "darf der Server nur auf 127.0.0.1" in str(refused.value)
    assert "2 API-Schlüssel, 1 Benutzer" in check_bind("0.0.0.0", server())
    assert "Anmeldung" in check_bind("0.0.0.0", server(users=[]), port=8080)


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::ffff:127.0.0.1") and is_loopback("LOCALHOST")
    assert not is_loopback("0.0.0.0") and not is_loopback("localhost.example")
    assert not is_loopback("testclient") and not is_loopback("unbekannt")


# --- secrets never leak --------------------------------------------------------------------


def test_no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = server()
    http = client(config)
    http.get("/api/wer", headers=bearer(READER.key))
    http.get("/api/wer", headers=bearer(READER.key + "x"))
    http.post("/api/login", data={"name": "anna", "password": PASSWORD + "x"})
    http.post("/api/login", data={"name": PASSWORD, "password": PASSWORD})
    token = logged_in(http)
    cookie = http.cookies[COOKIE_NAME]
    http.post("/api/drafts")
    http.post("/api/drafts", headers={CSRF_HEADER: token})
    http.cookies.set(COOKIE_NAME, cookie[:-3] + "abc", domain="127.0.0.1", path="/")
    http.get("/api/wer")
    http.post("/api/logout")
    text = caplog.text
    assert "Anmeldung: anna" in text and "Ungültiger API-Schlüssel" in text
    assert "CSRF-Prüfung fehlgeschlagen für anna" in text
    secrets = [READER.key, READER.hash, PASSWORD, token, cookie, SECRET]
    secrets += [config.users[0].password_hash.get_secret_value()]
    for secret in secrets:
        assert secret not in text
        assert secret[7:40] not in text


def test_no_secret_in_reprs() -> None:
    config = server()
    settings = Settings(server=config)
    hidden = [READER.hash, SECRET, config.users[0].password_hash.get_secret_value()]
    for text in (repr(settings), str(settings), repr(config), repr(Access(config))):
        for secret in hidden:
            assert secret not in text and secret[7:40] not in text


# --- settings ------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("VORLAGEN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_server_settings_defaults() -> None:
    config = ServerSettings()
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.api_keys == [] and config.users == [] and config.local_rights == []
    assert config.session_secret is None and config.session_max_age_s == 8 * 3600
    assert config.max_upload_mb > 0 and config.request_timeout_s > 0 and config.queue_size > 0


@pytest.mark.usefixtures("clean_env")
def test_keys_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = f'[{{"name": "bot", "hash": "{INGESTER.hash.upper().replace("SHA256", "sha256")}"'
    monkeypatch.setenv("VORLAGEN_SERVER__API_KEYS", entry + ', "rights": ["ingest"]}]')
    monkeypatch.setenv("VORLAGEN_SERVER__LOCAL_RIGHTS", '["nichtoeffentlich"]')
    config = load_settings().server
    assert config.api_keys[0].hash.get_secret_value() == INGESTER.hash  # lower-cased
    assert config.local_rights == ["nichtoeffentlich"]


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("section", "where"),
    [
        ({"api_keys": [{"name": "bot", "hash": "geheim-im-klartext"}]}, "server.api_keys.0.hash"),
        ({"api_keys": [{"name": "a\nb", "hash": READER.hash}]}, "server.api_keys.0.name"),
        ({"users": [{"name": "anna", "password_hash": "$2b$12$bcrypt"}]}, "server.users.0"),
        ({"users": [{"name": "x", "password_hash": "$argon2id$a", "rights": ["admin"]}]}, "users"),
        ({"session_secret": "kurz-aber-geheim"}, "server.session_secret"),
        (
            {"api_keys": [{"name": "a", "hash": READER.hash}, {"name": "b", "hash": READER.hash}]},
            "server.api_keys",
        ),
        ({"users": [{"name": "a", "password_hash": "$argon2id$x"}] * 2}, "server.users"),
        ({"port": 0}, "server.port"),
    ],
)
def test_bad_server_settings_are_one_german_sentence_without_the_value(
    section: dict[str, Any], where: str
) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({"server": section})
    assert where in str(err.value) and "ungültigen Wert" in str(err.value)
    cause = str(err.value.__cause__)
    for secret in ("geheim-im-klartext", "kurz-aber-geheim", "bcrypt"):
        assert secret not in str(err.value) and secret not in cause


def test_the_name_rule_is_the_same_in_settings_and_cli() -> None:
    assert NAME_PATTERN == ACCESS_NAME_PATTERN
    ServerSettings.model_validate(
        {"users": [{"name": "Jörg Müller", "password_hash": "$argon2id$x"}]}
    )
