"""schemathesis over the whole OpenAPI schema of the app: no server error, and every answer
fits the schema (status code declared, content type, body schema, declared headers).

The app is the one of ``tests/api/test_app.py`` (a real store with the bundled embedder, the
scripted chat model, SQLite), with one bearer key that holds every right, so that every route
is reached past the access check; requests come from 127.0.0.1. Each operation gets a bounded
number of valid and of invalid requests (Hypothesis, derandomized, no shrinking), and the
operations on one draft also get an existing draft's id: about 30 s on 2 cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.auth import new_api_key
from tests.api.test_app import REQUEST, _server, store_dir  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # a real store with the bundled embedder, hundreds of requests

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 20}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
# The page's login: 401 for every key (no users are configured here), by design.
LOGIN_ONLY = {"POST /api/login", "GET /api/session"}

Scope = dict[str, Any]
ASGI = Callable[..., Any]


def _from_loopback(app: ASGI, statuses: list[int]) -> ASGI:
    """The app as if every request came from 127.0.0.1 (schemathesis' ASGI client says
    "testclient"); the status of each answer is appended to ``statuses``."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        await app({**scope, "client": ("127.0.0.1", 50000)}, receive, recording)

    return wrapped


def _fuzz(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    headers: dict[str, str],
    path_parameters: dict[str, str] | None = None,
) -> None:
    """``EXAMPLES[mode]`` requests to ``operation``, each checked; raises the first failure."""
    checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    run()


def test_every_operation_answers_within_its_schema(
    store_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    key = new_api_key()
    rights = ["nichtoeffentlich", "ingest", "mitzeichnen"]
    server = _server(
        store_dir, tmp_path, api_keys=[{"name": "alles", "hash": key.hash, "rights": rights}]
    )
    statuses: list[int] = []
    schema = schemathesis.openapi.from_asgi("/openapi.json", _from_loopback(server.app, statuses))
    bearer = {"Authorization": f"Bearer {key.key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    # a real draft, so that the operations on one reach more than "not found"
    draft = schema["/api/drafts"]["POST"].Case(body=REQUEST).call(headers=bearer)
    assert draft.status_code == 201, draft.text
    known = {"draft_id": draft.json()["id"]}
    runs = [(operation, mode, None) for operation in operations for mode in EXAMPLES]
    runs += [
        (operation, GenerationMode.POSITIVE, known)
        for operation in operations
        if "{draft_id}" in operation.path
    ]
    failures: list[str] = []
    timings: list[str] = []
    for operation, mode, path_parameters in runs:
        label = " (an existing draft)" if path_parameters else ""
        statuses.clear()
        started = time.monotonic()
        try:
            _fuzz(operation, mode, bearer, path_parameters)
        except Unsatisfiable:  # no invalid request exists (no parameters, any string)
            assert mode is GenerationMode.NEGATIVE, operation.label
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}{label} ({mode.value}): {failure}")
        timings.append(
            f"{operation.label}{label} {mode.value}: {time.monotonic() - started:.1f} s, "
            f"{len(statuses)} requests, statuses {sorted(set(statuses))}"
        )
        if mode is GenerationMode.POSITIVE and operation.label not in LOGIN_ONLY:
            # the key was accepted: the requests reached the route
            assert any(s not in (401, 403) for s in statuses), operation.label
    print("\n".join(timings))
    assert not failures, "\n\n".join(failures)
