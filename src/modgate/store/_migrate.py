"""Alembic migrations run programmatically (`modgate init`, `modgate db upgrade`)."""

from __future__ import annotations

from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from modgate.errors import MigrationError
from modgate.store._engine import Store
from modgate.store._revisions import HEADS, REVISIONS

if TYPE_CHECKING:  # alembic loads only to migrate, not for every read command
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config(store: Store) -> Config:
    from alembic.config import Config

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
    from alembic import command

    from modgate.store._audit import record_audit_event

    before = current_revision(store)
    if before is not None and not is_known_revision(before):
        raise newer_database_error(store, before)
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
                details={"from": before, "to": after, "modgate": modgate_version()},
            )
    return after


def current_revision(store: Store) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(heads)) if heads else None


def head_revision() -> str:
    """The newest revision (or revisions, comma-joined) the installed code knows.

    A constant (`_revisions.HEADS`) rather than alembic's script loader, which imports every
    migration module: every read command checks the schema, and this keeps that check to one
    query. `tests/store/test_migrations.py` checks it against alembic's own `get_heads()`.
    """
    return ",".join(sorted(HEADS))


def modgate_version() -> str:
    """The installed modgate's version ("unknown" when not installed as a package)."""
    try:
        return importlib_metadata.version("modgate")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def is_known_revision(revision: str) -> bool:
    """Whether every head in `revision` (comma-separated) is a migration this code ships."""
    return all(rev in REVISIONS for rev in revision.split(","))


def newer_database_error(store: Store, revision: str) -> MigrationError:
    """The error for a database migrated by a newer modgate than this one.

    The modgate version that migrated it is read from the `db.upgrade` audit event when there
    is one, so the message can say which version the database needs.
    """
    from modgate.store._tables import audit_events  # the whole schema; only this error needs it

    needed: str | None = None
    try:
        with store.connect() as conn:
            rows = conn.execute(
                select(audit_events.c.details)
                .where(audit_events.c.action == "db.upgrade")
                .order_by(audit_events.c.id.desc())
                .limit(50)
            ).all()
        for (details,) in rows:
            if isinstance(details, dict) and details.get("to") == revision:
                needed = details.get("modgate") or None
                break
    except SQLAlchemyError:
        needed = None
    ours = modgate_version()
    wanted = f"modgate ≥ {needed}" if needed else f"a newer modgate than {ours}"
    return MigrationError(
        f"this database needs {wanted}: its schema is at revision {revision}, which modgate "
        f"{ours} does not know",
        hint="upgrade modgate (e.g. `pip install -U modgate`); `modgate db upgrade` cannot "
        "move a schema backwards",
    )


def ensure_current(store: Store) -> None:
    """Refuse to work on a database whose schema is older or newer than the code.

    Raises:
        MigrationError: The revisions differ; the hint says what to run (for a newer
            database: which modgate it needs).
    """
    current = current_revision(store)
    head = head_revision()
    if current is not None and current != head and not is_known_revision(current):
        raise newer_database_error(store, current)
    if current != head:
        raise MigrationError(
            f"database schema is at {current or 'nothing'}, this modgate expects {head}",
            hint="run `modgate db upgrade`",
        )
