"""Drafts, their versions and the audit log in a database (docs/storage.md).

An adapter like ``vectorstore``: :class:`SqlDraftArchive` implements the port
``assistant.ports.DraftArchive`` with SQLAlchemy 2, :class:`SqlApprovalArchive` the
Mitzeichnung's ``assistant.ports_approval.ApprovalArchive`` and :class:`SqlSummaryJobStore`
the archive's summary jobs (``assistant.ports_summary_jobs``) in the same database, on SQLite
(default: a file in the data directory) or PostgreSQL (several app instances).
:func:`open_archive` connects and applies the Alembic migrations shipped in
``storage/migrations``; unlike the search backends it does its expensive work at once, so a
server finds a broken database at start-up.
"""

from storage.approvals import SqlApprovalArchive
from storage.archive import SqlDraftArchive, open_archive
from storage.database import sqlite_url
from storage.summary_jobs import SqlSummaryJobStore

__all__ = [
    "SqlApprovalArchive",
    "SqlDraftArchive",
    "SqlSummaryJobStore",
    "open_archive",
    "sqlite_url",
]
