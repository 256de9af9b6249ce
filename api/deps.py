"""The routes' dependencies, as ``Annotated`` types (full-stack-fastapi-template style):
a route names what it needs (``jobs: JobsDep, caller: CallerDep``) and never reaches into
``app.state`` itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from api.auth import Caller, require_caller, require_ingest
from api.container import Services, Store
from assistant.draft_jobs import DraftJobs
from assistant.ports import DraftArchive
from assistant.ports_approval import ApprovalArchive
from assistant.usecases.approval import ApprovalCase, ApproverRights
from assistant.usecases.summary_jobs import SummaryJobs

ApprovalNotifier = Callable[[ApprovalCase], Awaitable[bool]]
"""Shows an approver a request made over HTTP in a bot (Slack: the card in their direct
chat); True when it did. The bots add theirs to ``app.state.approval_notifiers``."""


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _jobs(request: Request) -> DraftJobs:
    jobs: DraftJobs = request.app.state.jobs
    return jobs


def _summary_jobs(request: Request) -> SummaryJobs:
    summary_jobs: SummaryJobs = request.app.state.summary_jobs
    return summary_jobs


def _archive(request: Request) -> DraftArchive:
    archive: DraftArchive = request.app.state.archive
    return archive


def _approvals(request: Request) -> ApprovalArchive:
    approvals: ApprovalArchive = request.app.state.approvals
    return approvals


def _approvers(request: Request) -> ApproverRights:
    approvers: ApproverRights = request.app.state.approvers
    return approvers


def _notifiers(request: Request) -> list[ApprovalNotifier]:
    notifiers: list[ApprovalNotifier] = getattr(request.app.state, "approval_notifiers", [])
    return notifiers


ServicesDep = Annotated[Services, Depends(_services)]
StoreDep = Annotated[Store, Depends(_store)]
JobsDep = Annotated[DraftJobs, Depends(_jobs)]
SummaryJobsDep = Annotated[SummaryJobs, Depends(_summary_jobs)]
ArchiveDep = Annotated[DraftArchive, Depends(_archive)]
ApprovalsDep = Annotated[ApprovalArchive, Depends(_approvals)]
ApproversDep = Annotated[ApproverRights, Depends(_approvers)]
NotifiersDep = Annotated[list[ApprovalNotifier], Depends(_notifiers)]
CallerDep = Annotated[Caller, Depends(require_caller)]
IngestCallerDep = Annotated[Caller, Depends(require_ingest)]
