"""Login for the web page: ``POST /api/login`` (form), ``POST /api/logout``, ``GET
/api/session`` (the page's CSRF token after a reload). API clients use bearer keys instead.

The password check is argon2 (tens of milliseconds, blocking), so the login route is a plain
``def`` that FastAPI runs in its thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from api.auth import login, logout, session_info
from api.errors import error_responses
from api.sessions import SessionInfo

router = APIRouter(
    prefix="/api", tags=["Anmeldung"], responses=error_responses(400, 401, 403, 413, 422, 504)
)


@router.post("/login", summary="Anmelden (Benutzername und Passwort)")
def post_login(
    request: Request,
    response: Response,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
) -> SessionInfo:
    return login(request, response, name, password)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Abmelden")
def post_logout(request: Request, response: Response) -> None:
    logout(request, response)


@router.get("/session", summary="Die eigene Anmeldung und ihr CSRF-Token")
def get_session(request: Request) -> SessionInfo:
    return session_info(request)
