from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from modgate.store import Store, current_revision, head_revision, is_known_revision, metadata
from modgate.store._migrate import MIGRATIONS_DIR
from modgate.store._revisions import HEADS, REVISIONS


def test_migrations_match_the_table_definitions(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(context, metadata)
    assert diffs == []


def test_store_is_at_head(store: Store) -> None:
    assert current_revision(store) == head_revision()


def _script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def test_head_revision_agrees_with_alembics_own_script_loader() -> None:
    script = _script_directory()
    assert head_revision() == ",".join(sorted(script.get_heads()))


def test_the_revision_constants_list_every_shipped_migration() -> None:
    script = _script_directory()
    assert REVISIONS == {rev.revision for rev in script.walk_revisions()}
    assert list(HEADS) == sorted(script.get_heads())
    assert is_known_revision(",".join(HEADS))
    assert not is_known_revision("0001_core,9999_from_the_future")
