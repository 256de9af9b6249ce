"""German error bodies for what Starlette's form parser refuses (its own messages are English
sentences that looked German to the full-stop rule of ``api/errors.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.testclient import TestClient

from api import errors


def _app() -> FastAPI:
    app = FastAPI()
    errors.install(app)

    @app.post("/formular")
    def form(name: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": name}

    return app


def test_form_parser_errors_are_german() -> None:
    with TestClient(_app()) as client:
        assert client.post("/formular", data={"name": "Rat"}).json() == {"name": "Rat"}
        too_big = client.post("/formular", files={"name": (None, "x" * (1024 * 1024 + 1))})
        assert too_big.status_code == 400
        assert too_big.json() == {"detail": errors.BAD_FORM}
        broken = client.post(
            "/formular",
            content=b"--x\r\nkein Kopf\r\n",
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert broken.status_code == 400 and broken.json() == {"detail": errors.BAD_FORM}
