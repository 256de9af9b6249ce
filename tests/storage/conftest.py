"""The draft archive on both databases: a SQLite file per test, and a fresh PostgreSQL schema
per test (``search_path``), dropped afterwards.

PostgreSQL: ``$VORLAGEN_TEST_POSTGRES_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``. When it is not reachable the PostgreSQL
tests FAIL; set ``VORLAGEN_TEST_POSTGRES=0`` to leave them out on a machine without one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from storage import SqlDraftArchive, open_archive, sqlite_url

POSTGRES_ENV = "VORLAGEN_TEST_POSTGRES"
POSTGRES_URL_ENV = "VORLAGEN_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def postgres_url() -> URL:
    return make_url(os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    """The test server's URL, checked once per session; fails (never skips) when it is down."""
    if os.environ.get(POSTGRES_ENV) == "0":
        pytest.skip(f"{POSTGRES_ENV}=0: the PostgreSQL tests are switched off")
    url = postgres_url()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as err:
        pytest.fail(
            f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)} "
            f"({str(err.orig).strip().splitlines()[0]}). Start it, point {POSTGRES_URL_ENV} "
            f"at a server, or set {POSTGRES_ENV}=0 to leave these tests out.",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_schema_url(postgres_server: URL) -> Iterator[str]:
    """A URL whose ``search_path`` is a new, empty schema; the schema is dropped afterwards."""
    schema = f"vorlagen_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = postgres_server.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend, as a URL."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "db" / "vorlagen.db")
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def archive(database_url: str) -> Iterator[SqlDraftArchive]:
    opened = open_archive(database_url)
    try:
        yield opened
    finally:
        opened.close()
