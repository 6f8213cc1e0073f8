"""Stores on SQLite and PostgreSQL for tests: a throwaway PostgreSQL database per run."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from modgate.store import Store, create_reader_role, metadata, upgrade_database

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ADMIN_URL_VARIABLE = "MODGATE_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    """URL of a PostgreSQL database the tests may create throwaway databases from."""
    return os.environ.get(ADMIN_URL_VARIABLE, DEFAULT_ADMIN_URL)


@contextmanager
def throwaway_postgres_database(admin_url: str | None = None) -> Iterator[str]:
    """Create a uniquely named PostgreSQL database, yield its URL, drop it afterwards."""
    admin = make_url(admin_url or postgres_admin_url())
    if admin.drivername == "postgresql":
        admin = admin.set(drivername="postgresql+psycopg")
    name = f"modgate_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        engine.dispose()
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin.render_as_string(hide_password=True)} "
            f"({exc.__class__.__name__}: {str(exc).splitlines()[0]}). Store tests run on both "
            f"backends; start PostgreSQL or set {ADMIN_URL_VARIABLE}."
        ) from exc
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def throwaway_reader_role(url: str) -> Iterator[str]:
    """Create a LOGIN role that may only read modgate's tables; yield a URL connecting as it.

    `modgate sql` refuses superusers, so read-only SQL in tests connects as this role.
    """
    name = f"modgate_reader_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    store = Store.from_url(url)
    try:
        create_reader_role(store, name, login=True)
        yield make_url(url).set(username=name, password=None).render_as_string(hide_password=False)
    finally:
        with store.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        store.close()


def migrated_sqlite_template(folder: Path) -> Path:
    """Create a migrated SQLite file once, to be copied for each test."""
    path = folder / "template.db"
    store = Store.from_url(f"sqlite:///{path}")
    try:
        upgrade_database(store)
    finally:
        store.close()
    return path


def fresh_sqlite_store(template: Path, folder: Path) -> Store:
    """A store on a copy of the migrated template."""
    path = folder / "modgate.db"
    shutil.copyfile(template, path)
    return Store.from_url(f"sqlite:///{path}")


def truncate_all(store: Store) -> None:
    """Empty every modgate table (PostgreSQL, between tests)."""
    names = ", ".join(f'"{t.name}"' for t in reversed(metadata.sorted_tables))
    with store.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
