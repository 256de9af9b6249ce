"""Engines for the draft database and its migrations (SQLite file or PostgreSQL).

``sqlite:///<path>``: WAL journal, foreign keys on, waits up to 30 s for another writer; the
file's directory is created with mode 0700 and the file with mode 0600.
``postgresql://...`` (or ``postgresql+psycopg://...``): psycopg 3, connections checked before
use. A schema other than ``public`` is chosen with ``?options=-csearch_path%3D<schema>``.

The migrations run in one transaction that holds a lock (SQLite: ``BEGIN EXCLUSIVE``;
PostgreSQL: an advisory lock per schema), so that app instances starting at the same time
migrate once, one after the other.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from assistant.ports import ArchiveError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_TIMEOUT_S = 30.0


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite database file (made absolute)."""
    return f"sqlite:///{path.expanduser().resolve()}"


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction; database failures become :class:`ArchiveError` (the message never
    carries the statement's parameters, which may hold draft text)."""
    try:
        with sessions.begin() as session:
            yield session
    except DBAPIError as err:
        raise ArchiveError(
            "Die Entwurfsdatenbank hat die Anfrage nicht ausgeführt "
            f"({type(err.orig).__name__ if err.orig is not None else type(err).__name__})."
        ) from err


def safe_url(url: URL) -> str:
    """The URL for messages: the password hidden."""
    return url.render_as_string(hide_password=True)


def parse_url(url: str) -> URL:
    """``url`` parsed; ``postgresql://`` means the psycopg 3 driver.

    Raises:
        ArchiveError: not a URL, or neither SQLite nor PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise ArchiveError("Die Datenbank-URL ist ungültig (database.url).") from err
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        database = parsed.database or ""
        if database in {"", ":memory:"} or parsed.query.get("mode") == "memory":
            raise ArchiveError(
                "Die Entwurfsdatenbank muss eine Datei sein; eine Datenbank im Arbeitsspeicher "
                "ginge beim Neustart verloren (database.url)."
            )
    elif backend != "postgresql":
        raise ArchiveError(
            f"Die Datenbank „{backend}“ wird nicht unterstützt; möglich sind SQLite "
            "(sqlite:///pfad/vorlagen.db) und PostgreSQL (postgresql://...) (database.url)."
        )
    return parsed


def _prepare_sqlite_file(path: Path) -> None:
    """Create the directory (0700) and the file (0600) before SQLite creates them otherwise."""
    path = path.expanduser()
    if not path.parent.is_dir():
        path.parent.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.parent.mkdir(mode=0o700)
        except FileExistsError:
            pass  # another process was quicker
        else:
            path.parent.chmod(0o700)  # mkdir's mode is reduced by the umask
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


def _use_wal(path: Path) -> None:
    """Switch the file to the WAL journal (a setting the file keeps) before the engine opens
    it. SQLite answers "database is locked" at once, without waiting, when two connections
    switch a new file at the same time (instances starting together), so this retries."""
    deadline = time.monotonic() + SQLITE_TIMEOUT_S
    connection = sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S)
    try:
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                    return
                connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        connection.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    assert isinstance(dbapi_connection, sqlite3.Connection)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def create_database_engine(url: str) -> Engine:
    """An engine for ``url`` (see the module docstring); creates the SQLite file.

    Raises:
        ArchiveError: the URL is unusable, or the SQLite file cannot be created.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        try:
            _prepare_sqlite_file(Path(str(parsed.database)))
            _use_wal(Path(str(parsed.database)).expanduser())
        except (OSError, sqlite3.Error) as err:
            raise ArchiveError(
                f"Die Entwurfsdatenbank {parsed.database} kann nicht angelegt werden "
                f"({getattr(err, 'strerror', None) or err})."
            ) from err
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code (no alembic.ini): the migrations of this
    package, and ``connection`` (used as it is) or ``url`` (for ``alembic`` commands by hand,
    e.g. ``command.revision(alembic_config(url), "...", autogenerate=True)``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at (None: empty database)."""
    return MigrationContext.configure(connection).get_current_revision()


def _lock_for_migration(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Inside pysqlite's own transaction handling: it sends no BEGIN of its own for this.
        connection.exec_driver_sql("BEGIN EXCLUSIVE")
    else:
        connection.execute(
            text(
                "SELECT pg_advisory_xact_lock("
                "hashtext('vorlagen-assistent migrations ' || coalesce(current_schema(), '')))"
            )
        )


def upgrade(engine: Engine) -> None:
    """Migrate the database to the newest schema; idempotent, safe for concurrent callers.

    Raises:
        ArchiveError: the database is unreachable, newer than this code, or refuses the change.
    """
    where = safe_url(engine.url)
    try:
        with engine.connect() as connection:
            _lock_for_migration(connection)
            command.upgrade(alembic_config(connection=connection), "head")
            connection.commit()
    except CommandError as err:
        raise ArchiveError(
            f"Die Entwurfsdatenbank {where} hat einen Stand, den diese Version nicht kennt "
            f"(neuere Version des Programms?): {err}."
        ) from err
    except DBAPIError as err:
        reason = str(err.orig).strip().splitlines()[0] if str(err.orig).strip() else ""
        raise ArchiveError(
            f"Die Entwurfsdatenbank {where} ist nicht erreichbar oder nicht beschreibbar"
            + (f" ({reason})." if reason else ".")
        ) from err
