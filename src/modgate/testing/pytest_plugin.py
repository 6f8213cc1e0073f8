"""pytest fixtures shipped with modgate: stores on both backends and temporary workspaces.

Enable with `pytest_plugins = ["modgate.testing.pytest_plugin"]` in a `conftest.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from modgate.config import Settings
from modgate.store import Store, init_workspace, upgrade_database
from modgate.testing._backends import (
    fresh_sqlite_store,
    migrated_sqlite_template,
    throwaway_postgres_database,
    throwaway_reader_role,
    truncate_all,
)
from modgate.testing._fake_llm import FakeLLMServer

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throwaway, migrated PostgreSQL database for this test session."""
    with throwaway_postgres_database() as url:
        store = Store.from_url(url)
        try:
            upgrade_database(store)
        finally:
            store.close()
        yield url


@pytest.fixture(scope="session")
def postgres_reader_url(postgres_url: str) -> Iterator[str]:
    """URL connecting to the throwaway database as a role that may only read modgate's tables."""
    with throwaway_reader_role(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_store(postgres_url: str, postgres_reader_url: str) -> Iterator[Store]:
    store = Store.from_url(postgres_url, sql_url=postgres_reader_url)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(_sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty SQLite store."""
    store = fresh_sqlite_store(_sqlite_template, tmp_path)
    yield store
    store.close()


@pytest.fixture
def postgres_store(_postgres_store: Store) -> Iterator[Store]:
    """A migrated, empty PostgreSQL store (tables truncated after the test)."""
    yield _postgres_store
    truncate_all(_postgres_store)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    """A migrated, empty store: every test using it runs on SQLite and on PostgreSQL."""
    name = "sqlite_store" if request.param == "sqlite" else "postgres_store"
    value: Store = request.getfixturevalue(name)
    return value


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh workspace on SQLite in a temporary folder, made the current folder."""
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    monkeypatch.delenv("MODGATE_WORKSPACE", raising=False)
    monkeypatch.setenv("MODGATE_USER", "tester")
    settings = init_workspace(tmp_path / "ws")
    monkeypatch.chdir(tmp_path / "ws")
    return settings


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    """A fake OpenAI-compatible server on a free local port (a keyword judge by default)."""
    with FakeLLMServer() as server:
        yield server
