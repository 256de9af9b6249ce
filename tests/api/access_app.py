"""The access tests' tiny FastAPI app (api/auth.py, api/sessions.py wired as in the service),
its settings (two API keys, one user, fast argon2 hashes) and the calls the tests share."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Form, Request, Response
from fastapi.testclient import TestClient

from api.auth import (
    Access,
    Caller,
    SessionInfo,
    caller_from_request,
    install_access,
    login,
    logout,
    new_api_key,
    require_caller,
    require_ingest,
    session_info,
)
from assistant.settings import ServerSettings

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
