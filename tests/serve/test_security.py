from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from modgate.errors import NotFoundError, ValidationError
from modgate.serve import create_api_key, create_app, hash_author_id, list_api_keys, revoke_api_key
from modgate.serve._keys import hash_secret, secret_matches, split_key
from modgate.serve._ratelimit import RateLimiter
from modgate.store import api_keys

from .conftest import Served, bearer, deploy_ref, serve_settings


def _item(i: int = 0) -> dict[str, object]:
    return {"item": {"id": f"t3_{i:05d}", "body": "hello"}}


def test_no_key_is_401_with_a_clear_message(served: Served) -> None:
    reply = served.client.post("/v1/moderate", json=_item())
    assert reply.status_code == 401
    error = reply.json()["error"]
    assert error["code"] == "unauthorized" and "API key is required" in error["message"]


def test_wrong_key_is_401(served: Served) -> None:
    for key in ("nonsense", "mgk_0123456789abcdef_wrong"):
        reply = served.client.post(
            "/v1/moderate", json=_item(), headers={"Authorization": f"Bearer {key}"}
        )
        assert reply.status_code == 401, key
        assert "unknown or revoked" in reply.json()["error"]["message"]


def test_wrong_scope_is_403_naming_the_scope(served: Served) -> None:
    reply = served.client.post("/v1/moderate", json=_item(), headers=served.read)
    assert reply.status_code == 403
    assert "'moderate' scope" in reply.json()["error"]["message"]
    assert served.client.get("/v1/policies", headers=served.moderate).status_code == 403
    assert served.client.post("/v1/moderate", json=_item(), headers=served.admin).status_code == 200


def test_oversized_body_is_413_naming_the_limit(world) -> None:  # type: ignore[no-untyped-def]
    deploy_ref(world, world.lenient.ref, "active")
    app = create_app(serve_settings(world, max_body_bytes=2_000), store=world.store)
    with TestClient(app) as client:
        headers = bearer(world.store, "moderate")
        reply = client.post(
            "/v1/moderate", json={"item": {"id": "x", "body": "a" * 5_000}}, headers=headers
        )
        assert reply.status_code == 413
        assert "2000 bytes (max_body_bytes)" in reply.json()["error"]["message"]


def test_oversized_field_and_batch_are_413_naming_field_and_limit(world) -> None:  # type: ignore[no-untyped-def]
    deploy_ref(world, world.lenient.ref, "active")
    settings = serve_settings(world, max_text_chars=100, max_batch_items=3)
    with TestClient(create_app(settings, store=world.store)) as client:
        headers = bearer(world.store, "moderate")
        items = [{"id": "a", "body": "ok"}, {"id": "b", "body": "x" * 101}]
        reply = client.post("/v1/moderate", json={"items": items}, headers=headers)
        assert reply.status_code == 413
        error = reply.json()["error"]
        assert error["field"] == "items.1.body" and "limit of 100" in error["message"]
        many = [{"id": str(i)} for i in range(4)]
        reply = client.post("/v1/moderate", json={"items": many}, headers=headers)
        assert reply.status_code == 413 and "limit of 3" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item": {"id": "x", "kind": "tweet"}}, "item.kind"),
        ({"item": {"id": "x", "colour": "red"}}, "item.colour"),
        ({"items": [{"id": "a"}, {"body": "no id"}]}, "items.1.id"),
        ({}, "body"),
    ],
)
def test_malformed_is_422_naming_the_field(served: Served, body: object, field: str) -> None:
    reply = served.client.post("/v1/moderate", json=body, headers=served.moderate)
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == field, error
    assert error["message"].startswith(field)


def test_not_json_is_422(served: Served) -> None:
    reply = served.client.post(
        "/v1/moderate",
        content=b"{not json",
        headers={**served.moderate, "content-type": "application/json"},
    )
    assert reply.status_code == 422 and "error" in reply.json()


def test_rate_limit_is_429_with_retry_after(world) -> None:  # type: ignore[no-untyped-def]
    deploy_ref(world, world.lenient.ref, "active")
    settings = serve_settings(world, rate_per_second=0.01, rate_burst=2)
    with TestClient(create_app(settings, store=world.store)) as client:
        headers = bearer(world.store, "moderate")
        codes = [client.post("/v1/moderate", json=_item(), headers=headers) for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429]
        # one token takes 100 s at 0.01/s; the requests before took a little of that
        assert 90 <= int(codes[2].headers["Retry-After"]) <= 100
        other = bearer(world.store, "moderate")  # limits are per key
        assert client.post("/v1/moderate", json=_item(), headers=other).status_code == 200


def test_keys_are_stored_hashed_and_revocable(served: Served) -> None:
    store = served.world.store
    created = create_api_key(store, "ingest", ["moderate", "read"], actor="t")
    key_id, secret = split_key(created.key) or ("", "")
    with store.connect() as conn:
        row = conn.execute(api_keys.select().where(api_keys.c.id == key_id)).one()
    assert secret not in repr(tuple(row)) and created.key not in repr(tuple(row))
    assert row.secret_hash == hash_secret(secret, row.salt)
    headers = {"Authorization": f"Bearer {created.key}"}
    assert served.client.get("/v1/policies", headers=headers).status_code == 200
    revoke_api_key(store, key_id, actor="t")
    assert [k.revoked_at is not None for k in list_api_keys(store) if k.id == key_id] == [True]
    import time

    time.sleep(0.6)  # the key cache of the test app
    assert served.client.get("/v1/policies", headers=headers).status_code == 401
    with pytest.raises(NotFoundError):
        revoke_api_key(store, "0" * 16, actor="t")
    with pytest.raises(ValidationError, match="unknown scope"):
        create_api_key(store, "x", ["superuser"], actor="t")


def test_content_and_keys_are_not_logged(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    secret_text = "very-private-text-zz"
    served.client.post(
        "/v1/moderate",
        json={"item": {"id": "t3_00001", "body": secret_text}},
        headers=served.moderate,
    )
    key = served.moderate["Authorization"].split()[1]
    assert secret_text not in caplog.text and key not in caplog.text


def test_author_ids_are_hashed_with_the_key(world) -> None:  # type: ignore[no-untyped-def]
    from modgate.serve._app import _to_item
    from modgate.serve._schemas import ItemRequest

    settings = serve_settings(world, author_hash_key="k1")
    item = _to_item(ItemRequest(id="x", author_id="alice"), settings)
    assert item.author_id == hash_author_id("alice", b"k1") != "alice"
    assert hash_author_id("alice", b"k2") != item.author_id


@given(st.floats(0.1, 100), st.integers(1, 20), st.lists(st.floats(0, 5), max_size=40))
def test_rate_limiter_admits_at_most_burst_plus_rate_times_time(
    rate: float, burst: int, gaps: list[float]
) -> None:
    limiter = RateLimiter(rate, burst)
    now, admitted = 0.0, 0
    for gap in gaps:
        now += gap
        if limiter.acquire("k", now) == 0:
            admitted += 1
        else:
            assert limiter.acquire("k", now) >= 1
    assert admitted <= burst + rate * now + 1e-9


def test_secret_check_is_exact() -> None:
    assert secret_matches("abc", "00" * 16, hash_secret("abc", "00" * 16))
    assert not secret_matches("abd", "00" * 16, hash_secret("abc", "00" * 16))


def test_a_failing_commit_is_503_in_the_envelope_not_a_500(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modgate.serve import ModerationService

    def broken(self: ModerationService, jobs: object) -> None:
        raise RuntimeError("database is down")

    monkeypatch.setattr(ModerationService, "_decide_jobs", broken)
    reply = served.client.post("/v1/moderate", json=_item(), headers=served.moderate)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "1"
    assert "idempotent" in reply.json()["error"]["message"]


def test_a_naive_created_at_is_422_naming_the_field(served: Served) -> None:
    body = {"item": {"id": "x", "body": "hi", "created_at": "2026-01-01T10:00:00"}}
    reply = served.client.post("/v1/moderate", json=body, headers=served.moderate)
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "item.created_at"
    aware = {"item": {"id": "x", "body": "hi", "created_at": "2026-01-01T10:00:00Z"}}
    assert (
        served.client.post("/v1/moderate", json=aware, headers=served.moderate).status_code == 200
    )


def test_the_key_is_checked_before_the_body(served: Served) -> None:
    reply = served.client.post("/v1/moderate", json={"item": {"kind": "tweet"}})
    assert reply.status_code == 401  # no key: the malformed body is not even looked at
    read_only = served.client.post("/v1/moderate", json={}, headers=served.read)
    assert read_only.status_code == 403


def test_a_body_that_is_not_json_by_its_content_type_is_422(served: Served) -> None:
    reply = served.client.post(
        "/v1/moderate",
        content=b'{"item": {"id": "x"}}',
        headers={**served.moderate, "content-type": "text/plain"},
    )
    assert reply.status_code == 422
    assert (
        reply.json()["error"]["field"] == "body"
        and "text/plain" in reply.json()["error"]["message"]
    )


def test_openapi_declares_the_moderate_body_and_its_models(served: Served) -> None:
    schema = served.client.get("/openapi.json").json()
    body = schema["paths"]["/v1/moderate"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert body["required"] is True and ref == "#/components/schemas/ModerateRequest"
    components = schema["components"]["schemas"]
    assert {"ModerateRequest", "ItemRequest", "AuthorRequest"} <= set(components)
    item = components["ModerateRequest"]["properties"]["item"]
    assert {"$ref": "#/components/schemas/ItemRequest"} in item["anyOf"]
