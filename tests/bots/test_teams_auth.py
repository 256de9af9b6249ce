"""The Bot Framework JWT check (api/bots/teams_auth.py) against a real local OpenID/JWKS
endpoint that publishes a locally generated RSA key; tokens signed with PyJWT."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator

import jwt
import pytest

from api.bots.teams_auth import BotFrameworkAuth, OpenIdKeys, TeamsAuthError
from tests.bots.teams_servers import APP_ID, KeyPublisher, key_publisher, new_key

SERVICE_URL = "https://smba.trafficmanager.net/de/"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


@pytest.fixture
def publisher() -> Iterator[KeyPublisher]:
    with key_publisher(("key-1", "key-2")) as published:
        yield published


def _auth(publisher: KeyPublisher, **kwargs: object) -> BotFrameworkAuth:
    return BotFrameworkAuth(APP_ID, OpenIdKeys(publisher.metadata_url), **kwargs)  # type: ignore[arg-type]


def _verify(auth: BotFrameworkAuth, header: str | None, **kwargs: str | None) -> object:
    return asyncio.run(auth.verify(header, **kwargs))


def _refused(auth: BotFrameworkAuth, header: str | None, reason: str, **kwargs: str) -> str:
    with pytest.raises(TeamsAuthError) as caught:
        _verify(auth, header, **kwargs)
    assert caught.value.reason == reason
    return str(caught.value)


def test_valid_token_passes_with_its_claims(publisher: KeyPublisher) -> None:
    auth = _auth(publisher)
    token = publisher.token(service_url=SERVICE_URL)
    result = asyncio.run(auth.verify(f"Bearer {token}", service_url=SERVICE_URL))
    assert result.issuer == "https://api.botframework.com"
    assert result.service_url == SERVICE_URL
    assert result.claims["aud"] == APP_ID
    # the metadata and the keys were fetched from the local endpoint
    assert publisher.requests == ["/.well-known/openidconfiguration", "/keys"]


def test_keys_are_cached_between_requests(publisher: KeyPublisher) -> None:
    auth = _auth(publisher)

    async def twice() -> None:
        await auth.verify(f"Bearer {publisher.token('key-1')}")
        await auth.verify(f"Bearer {publisher.token('key-2')}")

    asyncio.run(twice())
    assert auth.keys.fetches == 1
    assert publisher.requests.count("/keys") == 1


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer"])
def test_missing_header_is_refused(publisher: KeyPublisher, header: str | None) -> None:
    message = _refused(_auth(publisher), header, "no token" if not header else "not a bearer token")
    assert "Authorization" in message


def test_wrong_audience_is_refused(publisher: KeyPublisher) -> None:
    token = publisher.token(audience="another-bot")
    assert _refused(_auth(publisher), f"Bearer {token}", "wrong audience") == (
        "Das Token des Bot Frameworks ist ungültig."
    )


def test_wrong_issuer_is_refused(publisher: KeyPublisher) -> None:
    token = publisher.token(issuer="https://evil.example/")
    _refused(_auth(publisher), f"Bearer {token}", "wrong issuer")


def test_tenant_issuers_only_with_the_tenant_configured(publisher: KeyPublisher) -> None:
    for issuer in (
        f"https://sts.windows.net/{TENANT}/",
        f"https://login.microsoftonline.com/{TENANT}/v2.0",
    ):
        token = publisher.token(issuer=issuer)
        _refused(_auth(publisher), f"Bearer {token}", "wrong issuer")
        assert _verify(_auth(publisher, tenant_id=TENANT), f"Bearer {token}")
    other = publisher.token(issuer="https://sts.windows.net/ffffffff-0000-0000-0000-000000000000/")
    _refused(_auth(publisher, tenant_id=TENANT), f"Bearer {other}", "wrong issuer")


def test_expired_token_is_refused_beyond_the_clock_skew(publisher: KeyPublisher) -> None:
    auth = _auth(publisher)
    # expired 4 minutes ago: within the 5 minutes of clock skew
    assert _verify(auth, f"Bearer {publisher.token(expires_in=-240)}")
    _refused(auth, f"Bearer {publisher.token(expires_in=-400)}", "expired")


def test_token_not_yet_valid_is_refused(publisher: KeyPublisher) -> None:
    token = publisher.token(not_before=time.time() + 900, expires_in=1800)
    _refused(_auth(publisher), f"Bearer {token}", "not yet valid")


def test_token_without_expiry_is_refused(publisher: KeyPublisher) -> None:
    payload = {"iss": "https://api.botframework.com", "aud": APP_ID}
    token = jwt.encode(
        payload, publisher.keys["key-1"], algorithm="RS256", headers={"kid": "key-1"}
    )
    _refused(_auth(publisher), f"Bearer {token}", "MissingRequiredClaimError")


def test_bad_signature_is_refused(publisher: KeyPublisher) -> None:
    forged = publisher.token("key-1", key=new_key())  # the published kid, another key
    _refused(_auth(publisher), f"Bearer {forged}", "bad signature")
    header, payload, signature = publisher.token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["aud"] = APP_ID + "x"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    _refused(_auth(publisher), f"Bearer {header}.{tampered}.{signature}", "bad signature")


def test_unknown_kid_is_refused_after_one_refresh(publisher: KeyPublisher) -> None:
    auth = _auth(publisher)
    assert _verify(auth, f"Bearer {publisher.token('key-1')}")
    token = publisher.token("key-9", key=new_key())
    _refused(auth, f"Bearer {token}", "unknown kid")
    _refused(auth, f"Bearer {token}", "unknown kid")
    # the first unknown kid did not refetch (the keys are younger than MIN_REFRESH_S) ...
    assert auth.keys.fetches == 1


def test_rotated_key_is_found_by_a_refresh(publisher: KeyPublisher) -> None:
    now = [1000.0]
    auth = BotFrameworkAuth(APP_ID, OpenIdKeys(publisher.metadata_url, clock=lambda: now[0]))
    assert _verify(auth, f"Bearer {publisher.token('key-1')}")
    publisher.keys["key-new"] = new_key()  # the publisher rotates
    now[0] += 120  # later than the minimal refresh interval
    assert _verify(auth, f"Bearer {publisher.token('key-new')}")
    assert auth.keys.fetches == 2


def test_alg_none_and_hmac_are_refused(publisher: KeyPublisher) -> None:
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": time.time() + 600}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "key-1"})
    _refused(_auth(publisher), f"Bearer {unsigned}", "algorithm 'none' refused")
    hmac = jwt.encode(claims, "s" * 32, algorithm="HS256", headers={"kid": "key-1"})
    _refused(_auth(publisher), f"Bearer {hmac}", "algorithm 'HS256' refused")


def test_garbage_is_refused(publisher: KeyPublisher) -> None:
    _refused(_auth(publisher), "Bearer not-a-jwt", "malformed header")
    _refused(_auth(publisher), "Bearer " + "a" * 20_000, "token too long")


def test_service_url_must_be_the_tokens(publisher: KeyPublisher) -> None:
    token = publisher.token(service_url=SERVICE_URL)
    auth = _auth(publisher)
    assert _verify(auth, f"Bearer {token}", service_url=SERVICE_URL.rstrip("/"))
    _refused(
        auth, f"Bearer {token}", "serviceUrl differs from the token's", service_url="http://evil/"
    )


def test_endorsed_key_signs_only_for_its_channels(publisher: KeyPublisher) -> None:
    publisher.endorsements["key-1"] = ["msteams"]
    auth = _auth(publisher)
    token = publisher.token("key-1")
    assert _verify(auth, f"Bearer {token}", channel_id="msteams")
    _refused(auth, f"Bearer {token}", "key not endorsed for the channel", channel_id="webchat")


def test_unreachable_keys_are_refused_in_german() -> None:
    auth = BotFrameworkAuth(APP_ID, OpenIdKeys("http://127.0.0.1:9/.well-known/x", timeout_s=2))
    with key_publisher() as other:
        token = other.token()
    message = _refused(auth, f"Bearer {token}", "keys unavailable")
    assert message.startswith("Die Schlüssel des Bot Frameworks")


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        BotFrameworkAuth("", OpenIdKeys("https://example/"))
    with pytest.raises(ValueError):
        BotFrameworkAuth(APP_ID, OpenIdKeys("https://example/"), clock_skew_s=600)
    with pytest.raises(ValueError):
        OpenIdKeys("file:///etc/passwd")
