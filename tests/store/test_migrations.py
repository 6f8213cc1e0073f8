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


def test_head_revision_agrees_with_alembics_own_script_loader() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from modgate.store._migrate import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revision() == ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))
