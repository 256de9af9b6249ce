"""German error bodies for every HTTP error: ``{"detail": "<one German sentence>"}``.

FastAPI's own messages are English ("Not Found", "Field required") and validation errors come
as a list of pydantic dicts; a clerk's page and a bot show ``detail`` as it is, so every error
the app sends is one German sentence here (validation errors name the field). Nothing from the
request body is echoed back (it may hold document text), and an unexpected error is logged
with its traceback and answered with a plain 500 sentence.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.ports import BackendError
from assistant.presenter import invalid_input
from assistant.retrieval import RetrievalError
from assistant.usecases.errors import InvalidRequest

log = logging.getLogger("vorlagen.http")

GENERIC: dict[int, str] = {
    status.HTTP_400_BAD_REQUEST: "Die Anfrage ist ungültig.",
    status.HTTP_401_UNAUTHORIZED: "Bitte melden Sie sich an.",
    status.HTTP_403_FORBIDDEN: "Dafür fehlt Ihnen die Berechtigung.",
    status.HTTP_404_NOT_FOUND: "Diese Adresse gibt es nicht.",
    status.HTTP_405_METHOD_NOT_ALLOWED: "Diese Methode ist hier nicht erlaubt.",
    status.HTTP_406_NOT_ACCEPTABLE: "Dieses Antwortformat wird nicht angeboten.",
    status.HTTP_409_CONFLICT: "Das geht gerade nicht; bitte einen Moment warten.",
    status.HTTP_413_CONTENT_TOO_LARGE: "Die Anfrage ist zu groß.",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "Dieses Format wird nicht angenommen.",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Interner Fehler; bitte später erneut versuchen.",
    status.HTTP_503_SERVICE_UNAVAILABLE: (
        "Der Dienst ist gerade ausgelastet; bitte später erneut versuchen."
    ),
}
INTERNAL = GENERIC[status.HTTP_500_INTERNAL_SERVER_ERROR]
DESCRIPTIONS: dict[int, str] = {  # of the error answers in the OpenAPI schema
    **GENERIC,
    status.HTTP_422_UNPROCESSABLE_CONTENT: "Eine Angabe fehlt oder passt nicht.",
    status.HTTP_504_GATEWAY_TIMEOUT: "Die Anfrage hat zu lange gedauert.",
}
ERROR_BODY_REF = "#/components/schemas/ErrorBody"


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: str = Field(description="Ein deutscher Satz, der den Fehler erklärt")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of error answers (``responses=`` of a router or a route): each
    ``code`` with :class:`ErrorBody`, so that clients (and schemathesis) know the shape; 422
    replaces FastAPI's default declaration, which describes pydantic's list of dicts."""
    return {
        code: {"model": ErrorBody, "description": DESCRIPTIONS.get(code, "Fehler")}
        for code in codes
    }


def stream_error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Like :func:`error_responses`, for a route whose answer is an event stream: FastAPI
    would declare the errors' bodies under the route's media type (``text/event-stream``),
    but they are sent as JSON before the stream starts. (The schema ``ErrorBody`` is
    registered by the routes that use :func:`error_responses`.)"""
    return {
        code: {
            "description": entry["description"],
            "content": {"application/json": {"schema": {"$ref": ERROR_BODY_REF}}},
        }
        for code, entry in error_responses(*codes).items()
    }


# Starlette's form parser (login form, uploads) answers 400 with English sentences.
FORM_ERRORS = (
    "Field exceeded",
    "Part exceeded",
    "Too many fields",
    "Too many files",
    "Missing boundary",
    "Invalid multipart",
    "The Content-Disposition",
)
BAD_FORM = (
    "Das Formular konnte nicht gelesen werden (ungültig, zu viele Felder oder Dateien, oder "
    "ein Feld zu groß)."
)


def _is_german(detail: object) -> bool:
    """Our own HTTPExceptions carry German sentences ending in a full stop; Starlette's
    defaults are English phrases without one ("Not Found"), its form parser's messages are
    recognised by their beginnings (:data:`FORM_ERRORS`)."""
    return (
        isinstance(detail, str)
        and detail.endswith((".", "?"))
        and " " in detail
        and not detail.startswith(FORM_ERRORS)
    )


def validation_message(err: RequestValidationError | ValidationError) -> str:
    """One German sentence for a request that does not fit its model, naming the field (the
    presenter's wording, shared with the CLI)."""
    errors: list[dict[str, object]] = [dict(error) for error in err.errors()]
    return invalid_input(errors)


def install(app: FastAPI) -> None:
    """Register the German error handlers on ``app``."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if _is_german(exc.detail) else GENERIC.get(exc.status_code)
        if isinstance(exc.detail, str) and exc.detail.startswith(FORM_ERRORS):
            detail = BAD_FORM
        detail = detail or GENERIC[status.HTTP_400_BAD_REQUEST]
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc)}, status_code=422)

    @app.exception_handler(ValidationError)
    async def invalid_model(request: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc)}, status_code=422)

    @app.exception_handler(InvalidRequest)
    async def invalid_request(request: Request, exc: InvalidRequest) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RetrievalError)
    async def refused(request: Request, exc: RetrievalError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(BackendError)
    async def backend(request: Request, exc: BackendError) -> JSONResponse:
        log.warning("Backend-Fehler bei %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unerwarteter Fehler bei %s %s", request.method, request.url.path)
        return JSONResponse({"detail": INTERNAL}, status_code=500)
