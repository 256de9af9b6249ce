"""API keys: a key is its caller with its rights; wrong or missing keys get a German 401;
new keys are random and stored as SHA-256 hashes."""

from __future__ import annotations

from api.auth import hash_api_key, new_api_key
from tests.api.access_app import INGESTER, READER, assert_401, bearer, client, logged_in


def test_a_valid_key_is_its_caller_with_its_rights() -> None:
    http = client()
    assert http.get("/api/wer", headers=bearer(READER.key)).json() == {
        "name": "leser",
        "kind": "key",
        "may_see_nonpublic": False,
        "may_ingest": False,
        "may_approve": False,
    }
    answer = http.get("/api/wer", headers=bearer(INGESTER.key)).json()
    assert answer["name"] == "import" and answer["may_ingest"] and answer["may_see_nonpublic"]
    assert answer["may_approve"]


def test_a_wrong_or_missing_key_gets_401_in_german_with_a_bearer_challenge() -> None:
    http = client()
    wrong = http.get("/api/wer", headers=bearer("va_" + "x" * 43))
    assert_401(wrong, "Der API-Schlüssel ist ungültig.")
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert_401(http.get("/api/wer"), "Anmeldung erforderlich")
    assert_401(http.get("/api/wer", headers={"Authorization": "Basic YW5uYTpnZWhlaW0="}))
    assert_401(http.get("/api/wer", headers={"Authorization": "Bearer"}))
    assert_401(http.get("/api/wer", headers=bearer("k" * 5000)))
    # a wrong key is refused on an open route too; no credentials there is fine
    assert_401(http.get("/api/offen", headers=bearer("falsch")))
    assert http.get("/api/offen").json() == {"caller": None}


def test_rights_are_checked_with_403_in_german() -> None:
    http = client()
    refused = http.post("/api/ingest", headers=bearer(READER.key))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Dieser Zugang darf keine Vorlagen einlesen."
    assert http.post("/api/ingest", headers=bearer(INGESTER.key)).status_code == 200
    assert_401(http.post("/api/ingest"))


def test_bearer_requests_need_no_csrf_token_and_win_over_a_cookie() -> None:
    http = client()
    logged_in(http)
    answer = http.post("/api/drafts", headers=bearer(READER.key))
    assert answer.status_code == 200 and answer.json()["name"] == "leser"


def test_new_keys_are_random_and_hashed_with_sha256() -> None:
    first, second = new_api_key(), new_api_key()
    assert first.key != second.key and first.key.startswith("va_") and len(first.key) >= 40
    assert first.hash == hash_api_key(first.key)
    assert first.hash.startswith("sha256:") and len(first.hash) == 7 + 64
