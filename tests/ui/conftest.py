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
        ServeSettings(database_url=store.url, workspace=world.world.workspace, refresh_seconds=0.2),
        store=store,
    )
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
        "/ui/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/ui/admin/users" if username == "admin" else "/ui/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


# --- a real server and a real browser ---------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"


@pytest.fixture
def browser_world(sqlite_store: Store, tmp_path: Path) -> UiWorld:
    return build_ui_world(sqlite_store, tmp_path)


@pytest.fixture
def live_server(browser_world: UiWorld) -> Iterator[str]:
    """Uvicorn serving the composed app on a free loopback port; yields the base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        composed_app(browser_world),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where the test keeps its screenshots (`test-artifacts/ui/<test>/`, gitignored)."""
    folder = ARTIFACTS / request.node.name.replace("/", "_").replace("[", "_").rstrip("]")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


def browser_login(page: object, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the form, typing like a person."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{base}/ui/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
