"""Fixtures of the web UI tests: a seeded world and the UI mounted in the service app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from modgate.serve import ServeSettings, create_app
from modgate.store import Store
from modgate.ui import UiSettings, create_ui_app
from tests.ui.world import PASSWORD, UiWorld, build_ui_world


@pytest.fixture
def ui_world(store: Store, tmp_path: Path) -> UiWorld:
    return build_ui_world(store, tmp_path)


def composed_app(world: UiWorld, **ui: object) -> FastAPI:
    """The app `modgate serve` runs: the service with the UI mounted at /ui."""
    store = world.world.store
    app = create_app(
        ServeSettings(database_url=store.url, workspace=world.world.workspace,
                      refresh_seconds=0.2),
        store=store,
    )  # fmt: skip
    settings = UiSettings.model_validate({"workspace": world.world.workspace, **ui})
    app.mount("/ui", create_ui_app(settings, store))
    return app


@pytest.fixture
def client(ui_world: UiWorld) -> Iterator[TestClient]:
    with TestClient(composed_app(ui_world), base_url="http://testserver") as c:
        yield c


def login_csrf(client: TestClient) -> str:
    page = client.get("/ui/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in; returns the session's CSRF token (read from a page)."""
    token = login_csrf(client)
    response = client.post(
        "/ui/login", data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    page = client.get("/ui/admin/users" if username == "admin" else "/ui/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)
