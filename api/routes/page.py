"""The clerks' page: ``GET /`` (the draft form), ``GET /entwurf/{id}`` (the same page,
re-attached to one draft), ``GET /vorlage/{id}`` (one stored Vorlage as parsed, with the
passage ``?stelle=`` marked), ``GET /bericht`` (the report of the store's summaries, issue 13:
the self-contained page of ``vorlagen summarize``, or a German empty state), ``GET /anmelden``
(the login page).

Server-rendered jinja2 templates (``api/templates/``) with plain JavaScript
(``api/static/``, served from the app's own origin under ``/static``); the page is a client
of the HTTP API and has no logic of its own: it starts, follows, checks, saves and exports
drafts through ``/api/…``. The German titles it shows (sections, fields, severities) come
from the presenter and are handed to the script as JSON in the page.

When the server has users or keys (not the local mode), a request without a valid session
is sent to the login page; the page then sends the session's CSRF token with every change.
The upload of Vorlagen is shown only to a caller with the right to ingest, the open requests
for a Mitzeichnung („Bitten um Mitzeichnung“) only to one with the right ``mitzeichnen``
(the API decides again on every request). The Vorlage page
is rendered on the server from the same use case as ``GET /api/vorlagen/{id}`` (no script).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import Caller, access_of, caller_from_request
from api.deps import StoreDep
from api.routes.summaries import report_response
from api.routes.vorlagen import VorlageId
from assistant import presenter, presenter_approval
from assistant.presenter_summaries import NO_SUMMARIES
from assistant.usecases.archive_report import archive_report
from assistant.usecases.summary_log import SummaryLog
from assistant.usecases.vorlage_view import (
    UnknownVorlage,
    VorlageView,
    locate_passage,
    open_vorlage,
)

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "router"]

HERE = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
LOGIN_PATH = "/anmelden"
# What a draft id may look like in the page's address (the API answers 404 for others).
DRAFT_ID = r"^[A-Za-z0-9_-]{1,64}$"
MAX_PASSAGE_CHARS = 2000  # ``?stelle=``: a cited passage is at most a few hundred

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))  # autoescapes .html

DraftId = Annotated[str, PathParam(pattern=DRAFT_ID)]


def page_texts() -> dict[str, Any]:
    """The presenter's wording the script needs (titles of sections, fields, severities)."""
    return {
        "sections": presenter.SECTION_TITLES,
        "fields": presenter.FIELD_TITLES,
        "severities": presenter.SEVERITY_LABELS,
        "searching": presenter.SEARCHING,
        "sources": presenter.VERSION_SOURCES,
        "decisions": presenter_approval.DECISION_LABELS,
    }


def _mode(request: Request) -> str:
    """``lokal`` (no login), ``angemeldet`` (a valid session) or ``abgemeldet``."""
    access = access_of(request)
    if access.local_only:
        return "lokal"
    return "angemeldet" if access.session_info(request) is not None else "abgemeldet"


def _page_caller(request: Request) -> Caller | None:
    """The caller, to decide which parts the page shows (the API decides again)."""
    try:
        return caller_from_request(request)
    except HTTPException:  # refused callers get the API's answer when they act
        return None


def _draft_page(request: Request, draft_id: str | None) -> Response:
    mode = _mode(request)
    if mode == "abgemeldet":
        return RedirectResponse(LOGIN_PATH, status_code=303)
    caller = _page_caller(request)
    context = {
        "mode": mode,
        "draft_id": draft_id or "",
        "texts": page_texts(),
        "may_ingest": caller is not None and caller.may_ingest,
        "may_approve": caller is not None and caller.may_approve,
    }
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    return _draft_page(request, None)


@router.get("/entwurf/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, draft_id: DraftId) -> Response:
    return _draft_page(request, draft_id)


@router.get("/vorlage/{vorlage_id}", response_class=HTMLResponse)
def vorlage_page(
    request: Request, vorlage_id: VorlageId, store: StoreDep, stelle: str = ""
) -> Response:
    mode = _mode(request)
    if mode == "abgemeldet":
        return RedirectResponse(LOGIN_PATH, status_code=303)
    caller = caller_from_request(request)
    try:
        view = open_vorlage(
            store.records,
            vorlage_id,
            allow_nonpublic=caller is not None and caller.may_see_nonpublic,
        )
    except UnknownVorlage as err:
        refused = {"mode": mode, "error": str(err)}
        return templates.TemplateResponse(request, "vorlage.html", refused, status_code=404)
    context: dict[str, Any] = {
        "mode": mode,
        "view": view,
        "sections": _marked_sections(view, stelle[:MAX_PASSAGE_CHARS]),
        "system": presenter.system_label(view.quelle.system),
        "german_date": presenter.german_date,
    }
    return templates.TemplateResponse(request, "vorlage.html", context)


@router.get("/bericht", response_class=HTMLResponse)
async def report_page(request: Request, store: StoreDep) -> Response:
    """The report of the store's summaries the caller may see (only öffentliche Vorlagen
    without the right), built on each request; the German empty state without any."""
    mode = _mode(request)
    if mode == "abgemeldet":
        return RedirectResponse(LOGIN_PATH, status_code=303)
    caller = caller_from_request(request)
    page = await asyncio.to_thread(
        archive_report,
        SummaryLog(store.summaries_path),
        allow_nonpublic=caller is not None and caller.may_see_nonpublic,
        generated=datetime.now(UTC),
    )
    if page is None:
        empty = {"mode": mode, "empty": NO_SUMMARIES}
        return templates.TemplateResponse(request, "bericht.html", empty)
    return report_response(page)


def _marked_sections(view: VorlageView, stelle: str) -> list[dict[str, Any]]:
    """The sections, with the passage ``stelle`` split out of the one that holds it."""
    place = locate_passage(view.sections, stelle) if stelle.strip() else None
    sections: list[dict[str, Any]] = []
    for index, section in enumerate(view.sections):
        text, parts = section.text, None
        if place is not None and place[0] == index:
            parts = (text[: place[1]], text[place[1] : place[2]], text[place[2] :])
        sections.append({"heading": section.heading, "text": text, "parts": parts})
    return sections


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    mode = _mode(request)
    if mode != "abgemeldet":
        return RedirectResponse("/", status_code=303)
    return templates.TemplateResponse(request, "login.html", {"mode": mode})
