"""The review queue, appeals and statements of reasons over HTTP, in the service's envelope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modgate.review import validate_statement
from modgate.serve import ServeSettings, create_app
from modgate.store import Store
from tests.review.conftest import World, build_world

from .conftest import bearer


@pytest.fixture
def api(
    store: Store, tmp_path: Path
) -> Iterator[tuple[TestClient, World, dict[str, dict[str, str]]]]:
    world = build_world(store, tmp_path)
    settings = ServeSettings.model_validate(
        {"database_url": store.url, "workspace": tmp_path, "refresh_seconds": 0.2}
    )
    app = create_app(settings, store=store)
    keys = {
        "read": bearer(store, "read"),
        "moderate": bearer(store, "moderate"),
        "alice": bearer(store, "admin"),
        "bob": bearer(store, "admin"),
    }
    with TestClient(app) as client:
        yield client, world, keys


def _error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and {"status", "code", "message"} <= set(body["error"])
    return body["error"]  # type: ignore[no-any-return]


def test_review_flow_over_http(api: tuple[TestClient, World, dict[str, dict[str, str]]]) -> None:
    client, world, keys = api
    synced = client.post("/v1/review/sync", headers=keys["alice"])
    assert synced.status_code == 200, synced.text
    assert synced.json()["created"] > 0
    queues = client.get("/v1/review/queues", headers=keys["read"]).json()["queues"]
    assert {q["key"]["policy"] for q in queues} == {"hate_speech"}
    task = client.post("/v1/review/claim", json={}, headers=keys["alice"]).json()["task"]
    assert task["status"] == "claimed"
    ctx = client.get(f"/v1/review/tasks/{task['id']}", headers=keys["read"]).json()
    assert ctx["masked"] and "vermin" not in ctx["text"].lower() and ctx["sensitive_spans"]
    revealed = client.get(f"/v1/review/tasks/{task['id']}?reveal=true", headers=keys["read"]).json()
    assert "vermin" in revealed["text"].lower()
    url = f"/v1/review/tasks/{task['id']}/decision"
    stolen = client.post(url, json={"label": "violating"}, headers=keys["bob"])
    assert stolen.status_code == 409 and "claim" in str(_error(stolen)["message"])
    bad = client.post(url, json={"label": "maybe"}, headers=keys["alice"])
    assert bad.status_code == 422 and _error(bad)["field"] == "label"
    done = client.post(
        url, json={"label": "violating", "criteria": ["HATE1"]}, headers=keys["alice"]
    )
    assert done.status_code == 200 and done.json()["action"] == "remove"
    undone = client.post("/v1/review/undo", headers=keys["alice"]).json()["task"]
    assert undone["id"] == task["id"] and undone["status"] == "claimed"
    readonly = client.post("/v1/review/claim", json={}, headers=keys["read"])
    assert readonly.status_code == 403 and _error(readonly)["code"] == "forbidden"
    missing = client.get("/v1/review/tasks/999999", headers=keys["read"])
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"


def test_appeals_and_statements_over_http(
    api: tuple[TestClient, World, dict[str, dict[str, str]]],
) -> None:
    client, world, keys = api
    removed = world.decision("remove").decision_id
    body = {"decision_id": removed, "statement": "this was news reporting", "appellant": "u9"}
    opened = client.post("/v1/appeals", json=body, headers=keys["moderate"])
    assert opened.status_code == 201, opened.text
    again = client.post("/v1/appeals", json=body, headers=keys["moderate"])
    assert again.status_code == 409
    allow = {**body, "decision_id": world.decision("allow").decision_id}
    assert client.post("/v1/appeals", json=allow, headers=keys["moderate"]).status_code == 422
    appeal_id = opened.json()["id"]
    decided = client.post(
        f"/v1/appeals/{appeal_id}/decision", json={"outcome": "overturned"}, headers=keys["bob"]
    )
    assert decided.status_code == 200 and decided.json()["status"] == "overturned"
    listed = client.get("/v1/appeals?status=overturned", headers=keys["read"]).json()["appeals"]
    assert [a["id"] for a in listed] == [appeal_id]
    sor = client.get(f"/v1/decisions/{removed}/sor", headers=keys["read"])
    assert sor.status_code == 200
    validate_statement(sor.json())
    assert sor.json()["modgate"]["appeal"]["status"] == "overturned"
    none = client.get("/v1/decisions/nope/sor", headers=keys["read"])
    assert none.status_code == 404


def test_a_review_key_reviews_and_does_nothing_else(
    api: tuple[TestClient, World, dict[str, dict[str, str]]], store: Store
) -> None:
    client, world, keys = api
    reviewer = bearer(store, "review")
    assert client.post("/v1/review/sync", headers=reviewer).status_code == 403
    assert client.post("/v1/review/sync", headers=keys["alice"]).status_code == 200
    task = client.post("/v1/review/claim", json={}, headers=reviewer).json()["task"]
    url = f"/v1/review/tasks/{task['id']}/decision"
    done = client.post(url, json={"label": "non_violating"}, headers=reviewer)
    assert done.status_code == 200 and done.json()["action"] == "allow"
    assert client.post("/v1/review/undo", headers=reviewer).json()["task"]["id"] == task["id"]
    item = {"item": {"id": "x1", "kind": "comment", "community": "c", "body": "hello"}}
    refused = client.post("/v1/moderate", json=item, headers=reviewer)
    assert refused.status_code == 403 and "'moderate' scope" in str(_error(refused)["message"])
    listing = client.get("/v1/review/queues", headers=reviewer)
    assert listing.status_code == 403 and "'read' scope" in str(_error(listing)["message"])
