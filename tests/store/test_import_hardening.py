"""Imports never lose rows silently (issue 15): swallowed rows, deep JSON, rejects file, audit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.errors import ValidationError
from modgate.store import (
    RejectReason,
    Store,
    count_items,
    get_item,
    import_items,
    list_audit_events,
    open_rows,
    read_rejects,
)
from modgate.store._readers import MAX_JSON_DEPTH, json_depth
from modgate.store._rejects import default_rejects_path

# -- CSV: a quote that is never closed ------------------------------------------------------


def test_unclosed_quote_mid_file_rejects_the_swallowed_rows_with_the_line_range(
    store: Store, tmp_path: Path
) -> None:
    # issue 15: 4 rows in, 3 stored, 0 rejected, exit 0 — row 1 had swallowed rows 2 and 3
    path = tmp_path / "q.csv"
    path.write_text('id,text\n1,"hello\n2,world\n3,"ok"\n4,fine\n', encoding="utf-8")
    report = import_items(store, path, actor="t", rejects_path=tmp_path / "r.jsonl")
    assert (report.rows_read, report.inserted, report.rejected) == (2, 1, 1)
    (reject,) = read_rejects(tmp_path / "r.jsonl")
    assert reject.reason == RejectReason.QUOTE_SPANS_ROWS
    assert reject.line == 2
    assert "lines 2-4" in reject.detail and "line 3" in reject.detail
    assert "2,world" in reject.raw and '3,"ok"' in reject.raw  # nothing is lost
    assert get_item(store, "4").body == "fine"
    assert count_items(store) == 1


def test_tsv_with_an_unclosed_quote_is_caught_too(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text('id\ttext\nt1_a1\t"open\nt1_b2\tswallowed\nt1_c3\t"x"\n', encoding="utf-8")
    found = list(open_rows(path))
    assert [getattr(r, "reason", None) for r in found] == [RejectReason.QUOTE_SPANS_ROWS]


@pytest.mark.parametrize(
    "body",
    [
        "Shopping list:\neggs,milk\ndone",  # a comma line, but not shaped like an id
        "line one\nline two\nline three",
        "reply to 12:\nI agree",
        "numbers\n12 34,56",
    ],
)
def test_legitimate_multi_line_fields_are_kept(tmp_path: Path, body: str) -> None:
    path = tmp_path / "ok.csv"
    quoted = body.replace('"', '""')
    path.write_text(f'id,text\n1,"{quoted}"\n2,next\n', encoding="utf-8")
    rows = list(open_rows(path))
    assert [r.values["text"] for r in rows if not hasattr(r, "reason")] == [body, "next"]


# -- JSON nested too deep -------------------------------------------------------------------


def test_deep_json_is_a_per_row_reject_not_a_crash(store: Store, tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"id": "a", "text": "ok"}\n'
        f'{{"id": "b", "text": "deep", "meta": {deep}}}\n'
        f'{{"id": "c", "text": "deep in a string is fine", "s": "{deep}"}}\n',
        encoding="utf-8",
    )
    report = import_items(store, path, actor="t", rejects_path=tmp_path / "r.jsonl")
    assert (report.inserted, report.rejected) == (2, 1)
    (reject,) = read_rejects(tmp_path / "r.jsonl")
    assert (reject.line, reject.reason) == (2, RejectReason.TOO_DEEP)
    assert "1001 levels" in reject.detail


def test_json_at_the_depth_limit_is_accepted(tmp_path: Path) -> None:
    inner = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    path = tmp_path / "d.jsonl"
    path.write_text(f'{{"id": "a", "text": "x", "m": {inner}}}\n', encoding="utf-8")
    (row,) = list(open_rows(path))
    assert not hasattr(row, "reason")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\ ', max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='k[{"', max_size=3), children, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(_JSON)
def test_json_depth_matches_the_nesting_of_the_decoded_value(value: Any) -> None:
    assert json_depth(json.dumps(value).encode()) == _depth(value)


# -- the rejects file -----------------------------------------------------------------------


def _rows(path: Path, count: int, bad_every: int = 0) -> Path:
    lines = ["id,text"]
    for n in range(count):
        lines.append(f"i{n}," if bad_every and n % bad_every == 0 else f"i{n},text {n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_planted_symlink_at_the_rejects_path_is_refused_and_not_followed(
    store: Store, tmp_path: Path
) -> None:
    source = _rows(tmp_path / "export.csv", 10, bad_every=3)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    link = default_rejects_path(source)
    link.symlink_to(victim)
    with pytest.raises(ValidationError, match="symbolic link"):
        import_items(store, source, actor="t")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert count_items(store) == 0  # refused before the first row was committed


def test_an_old_rejects_file_is_replaced_not_written_through(store: Store, tmp_path: Path) -> None:
    # a hard link to another file at the rejects path: truncating in place would clobber it
    source = _rows(tmp_path / "export.csv", 6, bad_every=2)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    rejects = tmp_path / "r.jsonl"
    os.link(victim, rejects)
    report = import_items(store, source, actor="t", rejects_path=rejects)
    assert report.rejected == 3
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert len(read_rejects(rejects)) == 3


def test_an_unwritable_rejects_path_stops_the_import_before_any_row_lands(
    store: Store, tmp_path: Path
) -> None:
    # issue 15: found after 15,000 of 20,000 rows were committed
    source = _rows(tmp_path / "export.csv", 40, bad_every=30)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ValidationError, match="cannot write the rejects file"):
        import_items(store, source, actor="t", rejects_path=blocker / "r.jsonl", batch_size=5)
    assert count_items(store) == 0


def test_default_rejects_path_is_inside_the_workspace(store: Store, tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    source = _rows(tmp_path / "shared" / "export.csv", 4, bad_every=2)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    report = import_items(store, source, actor="t", workspace=workspace)
    expected = workspace / "rejects" / "export.csv.rejects.jsonl"
    assert report.rejects_path == str(expected)
    assert len(read_rejects(expected)) == 2
    assert not (tmp_path / "shared" / "export.csv.rejects.jsonl").exists()


def test_a_run_without_rejects_leaves_no_rejects_file(store: Store, tmp_path: Path) -> None:
    source = _rows(tmp_path / "export.csv", 3)
    rejects = tmp_path / "r.jsonl"
    rejects.write_text("stale\n", encoding="utf-8")
    report = import_items(store, source, actor="t", rejects_path=rejects)
    assert report.rejects_path is None
    assert not rejects.exists()


# -- audit ----------------------------------------------------------------------------------


def test_every_committed_batch_is_audited(store: Store, tmp_path: Path) -> None:
    source = _rows(tmp_path / "export.csv", 12)
    report = import_items(store, source, actor="ana", batch_size=5)
    batches = sorted(
        list_audit_events(store, action="items.import.batch"), key=lambda e: e.details["batch"]
    )
    assert report.batches == 3
    assert [e.details["lines"] for e in batches] == [[2, 6], [7, 11], [12, 13]]
    assert sum(e.details["inserted"] for e in batches) == report.inserted == 12
    assert {e.details["import_id"] for e in batches} == {report.import_id}
    (final,) = list_audit_events(store, action="items.import")
    assert final.details["interrupted"] is False
    assert final.details["import_id"] == report.import_id


def test_an_interrupted_import_audits_what_it_committed(store: Store, tmp_path: Path) -> None:
    source = _rows(tmp_path / "export.csv", 12)
    calls = 0

    def stop_after_first_batch(_done: int, _total: int, _unit: str) -> None:
        nonlocal calls
        calls += 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_items(store, source, actor="ana", batch_size=5, on_progress=stop_after_first_batch)
    assert count_items(store) == 5
    (batch,) = list_audit_events(store, action="items.import.batch")
    assert batch.details["inserted"] == 5
    (final,) = list_audit_events(store, action="items.import")
    assert final.details["interrupted"] is True
    assert final.details["inserted"] == 5
    assert final.details["import_id"] == batch.details["import_id"]
    assert "KeyboardInterrupt" in final.details["error"]
