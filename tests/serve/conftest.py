"""Fixtures of the service tests: a deployed world, keys and a running app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modgate.release import deploy
from modgate.serve import ServeSettings, create_api_key, create_app
from modgate.store import Store
from tests.release.deploy_helpers import World, add_report, build_world


@dataclass
class Served:
    world: World
    client: TestClient
    moderate: dict[str, str]
    read: dict[str, str]
    admin: dict[str, str]


def deploy_ref(world: World, ref: str, stage: str, share: float | None = None) -> str:
    result = deploy(world.store, ref, stage, actor="t", gate_path=world.gate, share=share)
    return result.deployment.id


def bearer(store: Store, *scopes: str) -> dict[str, str]:
    created = create_api_key(store, "test", list(scopes), actor="t")
    return {"Authorization": f"Bearer {created.key}"}


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    w = build_world(store, tmp_path, n=60)
    for version in (w.lenient, w.strict, w.harsh):
        add_report(store, version, w.golden)
    return w


def serve_settings(world: World, **overrides: object) -> ServeSettings:
    base: dict[str, object] = {
        "database_url": world.store.url,
        "workspace": world.workspace,
        "refresh_seconds": 0.2,
        "key_cache_seconds": 0.5,
    }
    base.update(overrides)
    return ServeSettings.model_validate(base)


@pytest.fixture
def served(world: World) -> Iterator[Served]:
    deploy_ref(world, world.lenient.ref, "active")
    app = create_app(serve_settings(world), store=world.store)
    keys = {s: bearer(world.store, s) for s in ("moderate", "read", "admin")}
    with TestClient(app) as client:
        yield Served(world, client, keys["moderate"], keys["read"], keys["admin"])
