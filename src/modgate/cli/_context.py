"""The CLI's context object: settings and store built once per invocation and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # settings and the store load when a command first asks for them
    from modgate.config import Settings
    from modgate.store import SqliteFile, Store


@dataclass
class CliContext:
    """Per-invocation state, created by the root callback (never a module global)."""

    cwd: Path = field(default_factory=Path.cwd)
    _settings: Settings | None = None
    _store: Store | None = None

    def settings(self) -> Settings:
        """Settings of the workspace found from the current folder upward."""
        if self._settings is None:
            from modgate.config import load_settings

            self._settings = load_settings(self.cwd, require_workspace=True)
        return self._settings

    def store(self, *, check_schema: bool = True, create: bool = False) -> Store:
        """The workspace's store, schema checked against the code's migrations.

        Args:
            check_schema: Refuse a database whose schema differs from the code's.
            create: SQLite: create a missing database file (only `db upgrade` does); read
                commands never create anything. A file or folder that is not writable is
                opened read-only.
        """
        if self._store is None:
            from modgate.store import ensure_current, open_store

            self._store = open_store(self.settings(), create=create)
            if check_schema:
                ensure_current(self._store)
        return self._store

    def sql_source(self) -> Store | SqliteFile:
        """What read-only SQL reads: the SQLite file itself, or the store.

        The workspace's SQLite file at the current schema is read with sqlite3 alone (no
        SQLAlchemy loads); anything else opens the store, whose checks explain what is wrong.
        """
        if self._store is None:
            from modgate.store import current_sqlite_file

            settings = self.settings()
            found = current_sqlite_file(settings.resolved_database_url, settings.sql_timeout_s)
            if found is not None:
                return found
        return self.store()

    def close(self) -> None:
        """Release the store."""
        if self._store is not None:
            self._store.close()
            self._store = None


def get_context(ctx: typer.Context) -> CliContext:
    """The `CliContext` of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        obj = CliContext()
        ctx.find_root().obj = obj
    return obj
