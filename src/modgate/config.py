"""Settings from `modgate.toml`, overridable by `MODGATE_*` variables; workspace discovery.

Entry points (CLI, HTTP app, worker) build a `Settings` once and pass it down; nothing in
modgate reads settings from a module-level global.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from modgate.errors import ConfigError, WorkspaceNotFoundError

WORKSPACE_FILE = "modgate.toml"
WORKSPACE_FOLDERS = ("policies", "rules", "enforcers", "gates", "monitors")
DEFAULT_DATABASE_FILE = "modgate.db"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the `[modgate]` table (or the top level) of a workspace's `modgate.toml`."""

    def __init__(self, settings_cls: type[BaseSettings], data: Mapping[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = dict(data)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Validated modgate settings.

    Precedence, highest first: explicit keyword arguments, `MODGATE_*` environment variables,
    `modgate.toml` of the workspace, defaults.
    """

    model_config = SettingsConfigDict(env_prefix="MODGATE_", extra="ignore", frozen=True)

    workspace: Path | None = None
    """Root folder of the workspace (the folder holding `modgate.toml`)."""
    database_url: str | None = None
    """SQLAlchemy URL; default is a SQLite file `modgate.db` in the workspace."""
    user: str | None = None
    """Who is acting, recorded in audit events; default is the OS user."""
    batch_size: int = Field(default=5000, ge=1, le=1_000_000)
    """Rows per batch for bulk writes."""
    max_text_bytes: int = Field(default=1_000_000, ge=1)
    """Largest text accepted on import (bytes of UTF-8)."""
    sql_row_limit: int = Field(default=10_000, ge=1)
    """Default maximum rows printed by `modgate sql` in table format."""
    sql_timeout_s: float = Field(default=60.0, gt=0, le=86_400)
    """Statement timeout of read-only SQL (`modgate sql`, `--items` queries), in seconds."""
    sql_database_url: str | None = None
    """PostgreSQL: URL read-only SQL connects with (a reader login); default `database_url`."""
    sql_role: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
    """PostgreSQL: role read-only SQL switches to (`SET ROLE`) after connecting."""

    llm_api_key_env_patterns: tuple[str, ...] = ("MODGATE_*", "*_API_KEY")
    """Shell patterns an LLM spec's `api_key_env` must match (its value is sent as a Bearer
    token to the spec's `base_url`, so a spec must not name just any variable)."""
    allow_files_outside_workspace: bool = False
    """Let enforcer specs name files (prompt, policy, rule set, predictions, model) outside
    the workspace; by default such a spec is refused at registration."""

    @field_validator("database_url", "sql_database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError(
                f"unsupported database URL scheme in {value.split(':', 1)[0]!r}: "
                "expected sqlite:///PATH or postgresql+psycopg://…"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then `MODGATE_*` variables, then the workspace's `modgate.toml`."""
        toml_data: Mapping[str, Any] = {}
        workspace = _init_value(init_settings, "workspace")
        if workspace is not None:
            toml_data = read_workspace_toml(Path(workspace))
        return (init_settings, env_settings, _TomlSource(settings_cls, toml_data))

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the workspace's SQLite file."""
        if self.database_url:
            return self.database_url
        if self.workspace is None:
            raise ConfigError(
                "no database configured: run inside a workspace (modgate init) "
                "or set MODGATE_DATABASE_URL"
            )
        return f"sqlite:///{(self.workspace / DEFAULT_DATABASE_FILE).resolve()}"

    @property
    def actor(self) -> str:
        """Name recorded as the actor of audit events."""
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return "unknown"


def _init_value(source: PydanticBaseSettingsSource, name: str) -> Any:
    values = source()
    return values.get(name)


def read_workspace_toml(workspace: Path) -> dict[str, Any]:
    """Read the settings table of a workspace's `modgate.toml`.

    Args:
        workspace: Folder holding `modgate.toml`.

    Returns:
        The `[modgate]` table, or the top-level table when there is none.

    Raises:
        ConfigError: The file is not valid TOML.
    """
    path = workspace / WORKSPACE_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    table = data.get("modgate", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [modgate] must be a table")
    return dict(table)


def find_workspace(start: Path) -> Path | None:
    """Find the workspace from `start` upward, like git finds its repository.

    Args:
        start: Folder to start from.

    Returns:
        The first folder at or above `start` that holds `modgate.toml`, or None.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_FILE).is_file():
            return folder
    return None


def _named_workspace(folder: Path) -> Path:
    """The folder `MODGATE_WORKSPACE` names; it must exist (nothing creates it on the way)."""
    if not folder.is_dir():
        state = "is not a folder" if folder.exists() else "does not exist"
        raise WorkspaceNotFoundError(
            f"MODGATE_WORKSPACE={folder} {state}",
            hint="point MODGATE_WORKSPACE at a folder made by `modgate init`, or unset it",
        )
    return folder


def load_settings(
    cwd: Path | None = None, *, require_workspace: bool = False, **overrides: Any
) -> Settings:
    """Build settings for an entry point.

    Args:
        cwd: Folder to search for a workspace from (default: the current folder).
        require_workspace: Raise when no workspace is found and no database URL is set.
        **overrides: Values that win over `MODGATE_*` variables and `modgate.toml`.

    Returns:
        Validated settings.

    Raises:
        WorkspaceNotFoundError: No workspace and `require_workspace` is set.
        ConfigError: A setting is invalid.
    """
    workspace = overrides.pop("workspace", None)
    if workspace is None:
        workspace_env = os.environ.get("MODGATE_WORKSPACE")
        if workspace_env:
            workspace = _named_workspace(Path(workspace_env))
        else:
            workspace = find_workspace(cwd or Path.cwd())
    has_url = bool(overrides.get("database_url") or os.environ.get("MODGATE_DATABASE_URL"))
    if workspace is None and require_workspace and not has_url:
        raise WorkspaceNotFoundError(
            f"not inside a modgate workspace (no {WORKSPACE_FILE} in {cwd or Path.cwd()} "
            "or any parent)",
            hint="run `modgate init` to create one, or set MODGATE_WORKSPACE",
        )
    try:
        return Settings(workspace=workspace, **overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
