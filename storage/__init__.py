"""Drafts, their versions and the audit log in a database (docs/storage.md).

An adapter like ``vectorstore``: :class:`SqlDraftArchive` implements the port
``assistant.ports.DraftArchive`` with SQLAlchemy 2 on SQLite (default: a file in the data
directory) or PostgreSQL (several app instances). :func:`open_archive` connects and applies
the Alembic migrations shipped in ``storage/migrations``; unlike the search backends it does
its expensive work at once, so a server finds a broken database at start-up.
"""

from storage.archive import SqlDraftArchive, open_archive
from storage.database import sqlite_url

__all__ = ["SqlDraftArchive", "open_archive", "sqlite_url"]
