from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from modgate.store import Store, current_revision, head_revision, metadata


def test_migrations_match_the_table_definitions(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(context, metadata)
    assert diffs == []


def test_store_is_at_head(store: Store) -> None:
    assert current_revision(store) == head_revision()
