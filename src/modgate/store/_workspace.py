"""Create a workspace: `modgate.toml`, the authoring folders and a migrated database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modgate.config import WORKSPACE_FILE, WORKSPACE_FOLDERS, Settings, load_settings
from modgate.errors import ConflictError
from modgate.store._engine import open_store
from modgate.store._migrate import upgrade_database

_TOML_TEMPLATE = """\
# modgate workspace settings. Every key can be overridden by a MODGATE_<KEY> variable.
[modgate]
# database_url = "postgresql+psycopg://user@127.0.0.1:5432/modgate"  # default: modgate.db here
# batch_size = 5000
# max_text_bytes = 1000000
"""

_GITIGNORE = "modgate.db\nmodgate.db-wal\nmodgate.db-shm\nartifacts/\n"


def init_workspace(folder: Path, *, exist_ok: bool = False, **overrides: Any) -> Settings:
    """Create a workspace in `folder` and bring its database to the newest schema.

    Args:
        folder: Folder to create (may exist and be non-empty).
        exist_ok: Re-running on an existing workspace only upgrades its database.
        **overrides: Settings that win over the environment (e.g. `database_url`).

    Returns:
        Settings of the new workspace.

    Raises:
        ConflictError: The folder is already a workspace and `exist_ok` is false.
    """
    folder = folder.resolve()
    toml = folder / WORKSPACE_FILE
    if toml.exists() and not exist_ok:
        raise ConflictError(
            f"{folder} is already a modgate workspace",
            hint="use `modgate db upgrade` to migrate its database",
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name in WORKSPACE_FOLDERS:
        (folder / name).mkdir(exist_ok=True)
    if not toml.exists():
        toml.write_text(_TOML_TEMPLATE, encoding="utf-8")
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(_GITIGNORE, encoding="utf-8")
    settings = load_settings(workspace=folder, **overrides)
    store = open_store(settings)
    try:
        upgrade_database(store, actor=settings.actor)
    finally:
        store.close()
    return settings
