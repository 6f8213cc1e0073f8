from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from modgate.config import Settings
from modgate.domain import Item
from modgate.store import count_items, open_store, save_items

from .conftest import Run


@pytest.fixture
def filled(workspace: Settings) -> Settings:
    store = open_store(workspace)
    save_items(
        store, [Item(id=f"i{n}", body=f"text {n}", community="c") for n in range(3)], actor="t"
    )
    store.close()
    return workspace


def test_init_creates_the_workspace_layout(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("init", str(tmp_path / "ws"))
    assert result.exit_code == 0, result.stderr
    for name in (
        "modgate.toml",
        "policies",
        "rules",
        "enforcers",
        "gates",
        "monitors",
        "modgate.db",
    ):
        assert (tmp_path / "ws" / name).exists()
    again = run_cli("init", str(tmp_path / "ws"))
    assert again.exit_code == 5
    assert "already a modgate workspace" in again.stderr


def test_sql_formats(filled: Settings, run_cli: Run, tmp_path: Path) -> None:
    query = "SELECT id, community FROM items ORDER BY id"
    as_json = run_cli("sql", query, "--format", "json")
    assert json.loads(as_json.stdout) == [{"id": f"i{n}", "community": "c"} for n in range(3)]
    as_csv = run_cli("sql", query, "--format", "csv")
    assert list(csv.reader(io.StringIO(as_csv.stdout)))[0] == ["id", "community"]
    target = tmp_path / "out.parquet"
    assert run_cli("sql", query, "--format", "parquet", "--output", str(target)).exit_code == 0
    assert pq.read_table(target).column("id").to_pylist() == ["i0", "i1", "i2"]
    assert "i1" in run_cli("sql", query).stdout


def test_sql_delete_fails_and_changes_nothing(filled: Settings, run_cli: Run) -> None:
    result = run_cli("sql", "DELETE FROM items")
    assert result.exit_code == 3
    assert "read-only" in result.stderr
    store = open_store(filled)
    assert count_items(store) == 3
    store.close()


def test_parquet_without_output_is_a_clear_error(filled: Settings, run_cli: Run) -> None:
    result = run_cli("sql", "SELECT 1", "--format", "parquet")
    assert result.exit_code == 6
    assert "--output" in result.stderr


def test_commands_outside_a_workspace_say_so(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODGATE_WORKSPACE", raising=False)
    monkeypatch.delenv("MODGATE_DATABASE_URL", raising=False)
    result = run_cli("sql", "SELECT 1")
    assert result.exit_code == 2
    assert "modgate init" in result.stderr


def test_db_current_and_upgrade(workspace: Settings, run_cli: Run) -> None:
    assert "up to date" in run_cli("db", "current").stdout
    assert run_cli("db", "upgrade").exit_code == 0


def test_audit_list_and_items_commands(filled: Settings, run_cli: Run) -> None:
    events = json.loads(run_cli("audit", "list", "--format", "json").stdout)
    assert [e["action"] for e in events] == ["items.import", "db.upgrade"]
    assert events[1]["actor"] == "tester"
    assert events[1]["details"]["from"] is None
    shown = json.loads(run_cli("items", "show", "i1").stdout)
    assert shown[0]["body"] == "text 1"
    missing = run_cli("items", "show", "nope")
    assert missing.exit_code == 4
    listed = json.loads(run_cli("items", "list", "--community", "c", "--format", "json").stdout)
    assert {r["id"] for r in listed} == {"i0", "i1", "i2"}
    bad_time = run_cli("items", "list", "--since", "yesterday")
    assert bad_time.exit_code == 6
    assert "--since" in bad_time.stderr


def test_demo_runs_without_shared_data(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.stderr
    assert "520 new" in result.stdout
    assert "modgate sql" in result.stdout
    # the monitor step: the evasion wave is found where it was injected, the canary rolled back
    out = " ".join(result.stdout.split())
    assert "evasion alerts in sim-c00020, sim-c00021 (the wave went to" in out
    assert "rolled back automatically" in out
    assert "few-shot" in result.stdout and "SIMULATED communities" in result.stdout
    rerun = run_cli("demo", "--dir", str(tmp_path / "demo"))
    assert "520 unchanged" in rerun.stdout
    assert "already holds the simulated week" in " ".join(rerun.stdout.split())


def test_usage_errors_are_usage_errors_not_internal_errors(
    workspace: Settings, run_cli: Run
) -> None:
    unknown = run_cli("items", "list", "--no-such-option", "x")
    assert unknown.exit_code == 2
    assert "No such option" in unknown.stderr
    assert "internal error" not in unknown.stderr
    missing = run_cli("items", "show")
    assert missing.exit_code == 2
    assert "Missing argument" in missing.stderr


def test_sql_on_an_older_schema_says_to_upgrade(filled: Settings, run_cli: Run) -> None:
    # `modgate sql` reads a current SQLite file without the store; any other schema goes
    # through the store's check, whose message and hint it keeps
    path = Path(filled.resolved_database_url.removeprefix("sqlite:///"))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('0001_core')")
    conn.close()
    result = run_cli("sql", "SELECT 1")
    assert result.exit_code != 0
    assert "database schema is at 0001_core" in result.stderr
    assert "modgate db upgrade" in result.stderr
