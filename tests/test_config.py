from __future__ import annotations

from pathlib import Path

import pytest

from modgate.config import Settings, find_workspace, load_settings
from modgate.errors import ConfigError, WorkspaceNotFoundError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODGATE_DATABASE_URL", "MODGATE_WORKSPACE", "MODGATE_USER", "MODGATE_BATCH_SIZE"):
        monkeypatch.delenv(name, raising=False)


def _workspace(folder: Path, toml: str = "[modgate]\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "modgate.toml").write_text(toml)
    return folder


def test_workspace_is_found_from_a_subfolder(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws")
    deep = root / "policies" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_workspace(deep) == root.resolve()
    assert find_workspace(tmp_path) is None


def test_toml_values_are_read_and_env_overrides_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _workspace(tmp_path / "ws", "[modgate]\nbatch_size = 123\nuser = 'from-toml'\n")
    settings = load_settings(root)
    assert settings.batch_size == 123
    assert settings.actor == "from-toml"
    monkeypatch.setenv("MODGATE_BATCH_SIZE", "77")
    assert load_settings(root).batch_size == 77
    assert load_settings(root, batch_size=5).batch_size == 5


def test_default_database_is_sqlite_in_the_workspace(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws")
    url = load_settings(root).resolved_database_url
    assert url.startswith("sqlite:///")
    assert url.endswith(str((root / "modgate.db").resolve()))


def test_env_database_url_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path / "ws")
    monkeypatch.setenv("MODGATE_DATABASE_URL", "postgresql+psycopg://u@h:5432/db")
    assert load_settings(root).resolved_database_url == "postgresql+psycopg://u@h:5432/db"


def test_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFoundError, match="modgate.toml"):
        load_settings(tmp_path, require_workspace=True)


def test_invalid_values_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(tmp_path / "ws", "[modgate]\nbatch_size = -1\n")
    with pytest.raises(ConfigError, match="batch_size"):
        load_settings(root)
    monkeypatch.setenv("MODGATE_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match="unsupported database URL"):
        load_settings(tmp_path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws", "[modgate\nbatch_size = ")
    with pytest.raises(ConfigError, match="modgate.toml: invalid TOML"):
        load_settings(root)


def test_no_database_without_workspace_or_url() -> None:
    with pytest.raises(ConfigError, match="no database configured"):
        _ = Settings().resolved_database_url


def test_a_missing_modgate_workspace_is_an_error_and_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere" / "ws"
    monkeypatch.setenv("MODGATE_WORKSPACE", str(missing))
    with pytest.raises(WorkspaceNotFoundError, match="does not exist"):
        load_settings(tmp_path, require_workspace=True)
    assert not missing.exists() and not missing.parent.exists()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    monkeypatch.setenv("MODGATE_WORKSPACE", str(a_file))
    with pytest.raises(WorkspaceNotFoundError, match="not a folder"):
        load_settings(tmp_path)


def test_sql_settings_have_safe_defaults_and_refuse_bad_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _workspace(tmp_path / "ws")
    settings = load_settings(root)
    assert (settings.sql_timeout_s, settings.sql_role, settings.sql_database_url) == (
        60.0,
        None,
        None,
    )
    monkeypatch.setenv("MODGATE_SQL_TIMEOUT_S", "2.5")
    monkeypatch.setenv("MODGATE_SQL_ROLE", "modgate_reader")
    tuned = load_settings(root)
    assert (tuned.sql_timeout_s, tuned.sql_role) == (2.5, "modgate_reader")
    for name, value in [
        ("MODGATE_SQL_TIMEOUT_S", "0"),
        ("MODGATE_SQL_TIMEOUT_S", "-1"),
        ("MODGATE_SQL_ROLE", 'x"; RESET ROLE; --'),
        ("MODGATE_SQL_DATABASE_URL", "mysql://x"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ConfigError, match=name.removeprefix("MODGATE_").lower()):
            load_settings(root)
        monkeypatch.delenv(name)
