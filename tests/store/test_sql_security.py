"""Read-only SQL that cannot escape: roles, functions, timeouts (issue 15, on real databases)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from modgate.errors import (
    ConfigError,
    QueryTimeoutError,
    ReadOnlyViolationError,
    StoreError,
    UnsafeRoleError,
    ValidationError,
)
from modgate.store import (
    SQLITE_FUNCTIONS,
    Store,
    create_reader_role,
    metadata,
    run_readonly_query,
)


def _with_timeout(store: Store, seconds: float) -> Store:
    # Same engine (not closed here: the fixture owns it), another statement timeout.
    return Store(store.engine, sql_url=store.sql_url, sql_timeout_s=seconds)


# -- PostgreSQL: the connecting role -------------------------------------------------------


def test_postgres_superuser_is_refused_with_the_fix(postgres_url: str) -> None:
    superuser = Store.from_url(postgres_url)  # no sql_url: connects as postgres
    try:
        with pytest.raises(UnsafeRoleError) as info:
            run_readonly_query(superuser, "SELECT 1")
    finally:
        superuser.close()
    assert "superuser" in info.value.message
    assert info.value.hint is not None and "create-reader-role" in info.value.hint
    assert info.value.exit_code == 2


def test_postgres_set_role_from_a_superuser_session_is_refused(
    postgres_url: str, postgres_reader_url: str
) -> None:
    # SET ROLE is escapable from a superuser session (set_config('role', …) + query_to_xml),
    # so the session user is checked, not only the role switched to.
    reader = make_url(postgres_reader_url).username
    store = Store.from_url(postgres_url, sql_role=reader)
    try:
        with pytest.raises(UnsafeRoleError):
            run_readonly_query(
                store,
                "SELECT set_config('role', 'postgres', false), "
                "query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, false, '')",
            )
    finally:
        store.close()


@pytest.fixture
def file_reader_login(postgres_url: str) -> Iterator[str]:
    """A non-superuser LOGIN role that is a member of pg_read_server_files."""
    name = f"modgate_filereader_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = Store.from_url(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        conn.execute(text(f'GRANT pg_read_server_files TO "{name}"'))
    try:
        yield make_url(postgres_url).set(username=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP ROLE "{name}"'))
        admin.close()


def test_postgres_member_of_a_server_file_role_is_refused(
    postgres_store: Store, file_reader_login: str
) -> None:
    store = Store(postgres_store.engine, sql_url=file_reader_login)
    with pytest.raises(UnsafeRoleError, match="pg_read_server_files"):
        run_readonly_query(store, "SELECT 1")


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1) TO PROGRAM 'touch {marker}'",
        "SELECT pg_read_file('/etc/hostname')",
        "SELECT pg_ls_dir('.')",
        "SELECT set_config('role', 'postgres', false), "
        "query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, false, '')",
        "SELECT lo_import('/etc/hostname')",
    ],
)
def test_postgres_reader_cannot_reach_server_programs_or_files(
    postgres_store: Store, tmp_path: Path, statement: str
) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(StoreError) as info:
        run_readonly_query(postgres_store, statement.format(marker=marker))
    assert isinstance(info.value, ReadOnlyViolationError), info.value.message
    assert not marker.exists()


def test_reader_role_reads_modgate_tables_only(postgres_store: Store, postgres_url: str) -> None:
    admin = Store.from_url(postgres_url)
    try:
        with admin.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS not_modgate (secret text)"))
        for table in metadata.sorted_tables:
            assert run_readonly_query(postgres_store, f'SELECT count(*) FROM "{table.name}"')
        with pytest.raises(ReadOnlyViolationError, match="permission denied"):
            run_readonly_query(postgres_store, "SELECT * FROM not_modgate")
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS not_modgate"))
        admin.close()


def test_create_reader_role_is_idempotent_and_refuses_a_privileged_role(
    postgres_store: Store, postgres_reader_url: str
) -> None:
    name = make_url(postgres_reader_url).username
    assert name is not None
    again = create_reader_role(postgres_store, name, login=True)
    assert not again.created
    assert set(again.tables) == {t.name for t in metadata.sorted_tables}
    with pytest.raises(UnsafeRoleError):
        create_reader_role(postgres_store, "postgres")
    with pytest.raises(ConfigError):
        create_reader_role(postgres_store, 'x"; DROP TABLE items; --')


def test_create_reader_role_needs_postgres(sqlite_store: Store) -> None:
    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_reader_role(sqlite_store, "modgate_reader")


def test_copy_to_stdout_is_a_clear_error(store: Store) -> None:
    with pytest.raises(ValidationError, match="COPY"):
        run_readonly_query(store, "COPY items TO STDOUT")


# -- SQLite: functions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT fts3_tokenizer('simple')",
        "SELECT fts3_tokenizer('simple', x'0000000000000000')",
        "SELECT load_extension('/tmp/evil.so')",
        "SELECT sqlite_compileoption_get(0)",
    ],
)
def test_sqlite_functions_off_the_allow_list_are_refused(
    sqlite_store: Store, statement: str
) -> None:
    with pytest.raises(ReadOnlyViolationError, match="not allowed"):
        run_readonly_query(sqlite_store, statement)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT group_concat(value, '|') FROM json_each('[1,2,3]')", "1|2|3"),
        ("SELECT count(*) FROM json_tree('{\"a\": [1, 2]}')", 4),
        ("SELECT json_extract('{\"a\": 7}', '$.a')", 7),
        ("SELECT max(n) FROM (SELECT row_number() OVER () AS n FROM json_each('[0,0,0]'))", 3),
        ("SELECT date('2026-01-31', '+1 day')", "2026-02-01"),
        ("SELECT round(sqrt(16.0), 1)", 4.0),
        ("SELECT upper(substr('abc', 2))", "BC"),
    ],
)
def test_sqlite_analyst_functions_are_allowed(
    sqlite_store: Store, statement: str, expected: object
) -> None:
    assert run_readonly_query(sqlite_store, statement).rows[0][0] == expected


def test_the_allow_list_holds_no_dangerous_function() -> None:
    assert not {"fts3_tokenizer", "load_extension", "readfile", "writefile"} & SQLITE_FUNCTIONS


# -- statement timeout (both backends) -----------------------------------------------------

_RUNAWAY = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(30)",
}


def test_runaway_query_stops_at_the_statement_timeout(store: Store) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="0.5 s statement timeout"):
        run_readonly_query(_with_timeout(store, 0.5), _RUNAWAY[store.dialect])
    assert time.monotonic() - started < 10


def test_a_query_within_the_timeout_runs(store: Store) -> None:
    result = run_readonly_query(_with_timeout(store, 30), "SELECT count(*) FROM items")
    assert result.rows == [(0,)]


def test_postgres_backend_is_free_after_a_timeout(postgres_store: Store) -> None:
    with pytest.raises(QueryTimeoutError):
        run_readonly_query(_with_timeout(postgres_store, 0.3), "SELECT pg_sleep(30)")
    with postgres_store.connect() as conn:
        running = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"
            )
        ).scalar()
    assert running == 0


def test_huge_row_limit_is_a_clear_error(store: Store) -> None:
    with pytest.raises(ValidationError, match="out of range"):
        run_readonly_query(store, "SELECT 1", max_rows=10**20)
    assert run_readonly_query(store, "SELECT 1", max_rows=2**53).rows == [(1,)]


def test_psycopg_is_the_driver() -> None:
    # the cancel path relies on psycopg 3's cancel_safe
    assert hasattr(psycopg.Connection, "cancel_safe")
