"""A bad day: missing or read-only workspaces, newer or damaged databases, odd flags."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from modgate.config import Settings
from modgate.domain import Item
from modgate.policy import example_policy_files
from modgate.store import open_store, record_audit_event, save_items

from .conftest import Run

_INTERNAL = "internal error"


def _no_internal_error(result: object) -> None:
    assert getattr(result, "exit_code", None) != 70
    assert _INTERNAL not in getattr(result, "stderr", "")


@pytest.fixture
def filled(workspace: Settings) -> Settings:
    store = open_store(workspace)
    save_items(store, [Item(id=f"i{n}", body=f"text {n}") for n in range(3)], actor="t")
    store.close()
    return workspace


def test_missing_workspace_is_an_error_and_nothing_is_created(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "gone"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    monkeypatch.setenv("MODGATE_WORKSPACE", str(missing))
    for command in (["items", "list"], ["sql", "SELECT 1"], ["audit", "list"]):
        result = run_cli(*command)
        assert result.exit_code == 2, result.stderr
        assert "does not exist" in result.stderr
    assert not missing.exists()


def test_read_command_does_not_create_a_missing_database(workspace: Settings, run_cli: Run) -> None:
    assert workspace.workspace is not None
    database = workspace.workspace / "modgate.db"
    database.unlink()
    result = run_cli("items", "list")
    assert result.exit_code == 3, result.stderr
    assert "no database" in result.stderr and "db upgrade" in result.stderr
    assert not database.exists()
    assert run_cli("db", "upgrade").exit_code == 0
    assert database.exists()


@pytest.fixture
def read_only_workspace(filled: Settings) -> Iterator[Path]:
    assert filled.workspace is not None
    folder = filled.workspace
    database = folder / "modgate.db"
    for leftover in (folder / "modgate.db-wal", folder / "modgate.db-shm"):
        assert not leftover.exists()
    database.chmod(stat.S_IRUSR | stat.S_IRGRP)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        yield folder
    finally:
        folder.chmod(stat.S_IRWXU)
        database.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_read_commands_work_in_a_read_only_workspace(
    read_only_workspace: Path, run_cli: Run
) -> None:
    before = sorted(os.listdir(read_only_workspace))
    # Root may write whatever the mode bits say, so "nothing was written" is checked on the
    # folder's mtime too: creating (and removing) a -wal or -shm file would change it.
    mtime = read_only_workspace.stat().st_mtime_ns
    database_mtime = (read_only_workspace / "modgate.db").stat().st_mtime_ns
    listed = run_cli("items", "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert '"i0"' in listed.stdout
    counted = run_cli("sql", "SELECT count(*) AS n FROM items", "--format", "csv")
    assert counted.exit_code == 0, counted.stderr
    assert counted.stdout.split() == ["n", "3"]
    assert run_cli("audit", "list").exit_code == 0
    assert run_cli("db", "current").exit_code == 0
    assert sorted(os.listdir(read_only_workspace)) == before  # no -wal, no -shm
    assert read_only_workspace.stat().st_mtime_ns == mtime
    assert (read_only_workspace / "modgate.db").stat().st_mtime_ns == database_mtime


def test_a_write_in_a_read_only_workspace_is_a_clear_error(
    read_only_workspace: Path, run_cli: Run, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,text\nn1,new item\n", encoding="utf-8")
    result = run_cli(
        "items",
        "import",
        str(source),
        "--no-progress",
        "--rejects",
        str(tmp_path / "rejects.jsonl"),
    )
    _no_internal_error(result)
    assert result.exit_code == 3, result.stderr
    assert "read-only" in result.stderr


def test_database_from_a_newer_modgate_names_the_version_it_needs(
    workspace: Settings, run_cli: Run
) -> None:
    store = open_store(workspace)
    try:
        with store.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('f00dfeed0099')"))
            record_audit_event(
                conn,
                actor="future",
                action="db.upgrade",
                object_type="database",
                object_id="x",
                details={"from": "a", "to": "f00dfeed0099", "modgate": "9.4.0"},
            )
    finally:
        store.close()
    for command in (["items", "list"], ["db", "upgrade"], ["db", "current"]):
        result = run_cli(*command)
        assert result.exit_code == 3, result.stderr
        assert "needs modgate ≥ 9.4.0" in result.stderr
        assert "Can't locate" not in result.stderr
        assert "run `modgate db upgrade`" not in result.stderr


def test_unknown_newer_revision_without_history_still_says_newer(
    workspace: Settings, run_cli: Run
) -> None:
    store = open_store(workspace)
    try:
        with store.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('f00dfeed0099')"))
    finally:
        store.close()
    result = run_cli("items", "list")
    assert result.exit_code == 3
    assert "needs a newer modgate" in result.stderr


def test_corrupted_sqlite_file_is_a_clear_error(workspace: Settings, run_cli: Run) -> None:
    assert workspace.workspace is not None
    (workspace.workspace / "modgate.db").write_bytes(b"this is not a database" * 100)
    result = run_cli("items", "list")
    _no_internal_error(result)
    assert result.exit_code == 3
    assert "damaged or not a SQLite database" in result.stderr
    result = run_cli("sql", "SELECT 1")
    assert result.exit_code == 3 and "damaged" in result.stderr


def test_unreachable_postgres_is_a_clear_error(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODGATE_WORKSPACE", raising=False)
    monkeypatch.setenv("MODGATE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    for command in (["items", "list"], ["sql", "SELECT 1"]):
        result = run_cli(*command)
        _no_internal_error(result)
        assert result.exit_code == 3, result.stderr
        assert "cannot reach the database" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["items", "list", "--limit", "100000000000000000000"],
        ["items", "list", "--offset", "100000000000000000000"],
        ["sql", "SELECT 1", "--limit", "100000000000000000000"],
        ["items", "list", "--limit", "1e20"],
    ],
)
def test_huge_limits_are_usage_errors(filled: Settings, run_cli: Run, command: list[str]) -> None:
    result = run_cli(*command)
    _no_internal_error(result)
    assert result.exit_code == 2


def test_copy_to_stdout_in_sql_is_a_clear_error(filled: Settings, run_cli: Run) -> None:
    result = run_cli("sql", "COPY items TO STDOUT")
    _no_internal_error(result)
    assert result.exit_code == 6
    assert "--format csv" in result.stderr


def test_sql_timeout_setting_stops_a_runaway_query(
    filled: Settings, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODGATE_SQL_TIMEOUT_S", "0.5")
    result = run_cli(
        "sql",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    )
    assert result.exit_code == 3
    assert "statement timeout" in result.stderr


@pytest.mark.parametrize(
    "tag", ["{% include '/etc/hostname' %}", "{% extends 'base.j2' %}", "{% import 'm.j2' as m %}"]
)
def test_policy_template_naming_another_file_is_a_clear_error(
    workspace: Settings, run_cli: Run, tmp_path: Path, tag: str
) -> None:
    policy = next(p for p in example_policy_files() if p.name == "harassment.yaml")
    template = tmp_path / "t.md.j2"
    template.write_text("{{ policy.title }}\n" + tag + "\n", encoding="utf-8")
    for command in ("compile", "lint"):
        result = run_cli("policy", command, str(policy), "--template", str(template))
        _no_internal_error(result)
        assert result.exit_code != 0
        assert "is not allowed" in result.stdout + result.stderr
