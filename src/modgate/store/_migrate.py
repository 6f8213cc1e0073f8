"""Alembic migrations run programmatically (`modgate init`, `modgate db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from modgate.errors import MigrationError
from modgate.store._audit import record_audit_event
from modgate.store._engine import Store

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    config.attributes["engine"] = store.engine
    return config


def upgrade_database(
    store: Store, revision: str = "heads", *, actor: str | None = None
) -> str | None:
    """Bring the schema to `revision` (default: the newest).

    Args:
        store: The store to migrate.
        revision: Target revision.
        actor: Who migrates; when given and the revision changed, an audit event is written.

    Returns:
        The revision the database is at afterwards.
    """
    before = current_revision(store)
    command.upgrade(_alembic_config(store), revision)
    after = current_revision(store)
    if actor is not None and after != before:
        with store.begin() as conn:
            record_audit_event(
                conn,
                actor=actor,
                action="db.upgrade",
                object_type="database",
                object_id=store.url,
                details={"from": before, "to": after},
            )
    return after


def current_revision(store: Store) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        heads = context.get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def head_revision() -> str:
    """The newest revision the installed code knows."""
    script = ScriptDirectory.from_config(_alembic_config_without_store())
    return ",".join(sorted(script.get_heads()))


def _alembic_config_without_store() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def ensure_current(store: Store) -> None:
    """Refuse to work on a database whose schema is older or newer than the code.

    Raises:
        MigrationError: The revisions differ; the hint says what to run.
    """
    current = current_revision(store)
    head = head_revision()
    if current != head:
        raise MigrationError(
            f"database schema is at {current or 'nothing'}, this modgate expects {head}",
            hint="run `modgate db upgrade`",
        )
