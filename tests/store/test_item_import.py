from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from modgate.domain import AuthorInfo, Item
from modgate.errors import StoreError, ValidationError
from modgate.store import (
    ItemMapping,
    RejectReason,
    Store,
    count_items,
    get_item,
    import_items,
    item_content_hash,
    item_to_row,
    list_audit_events,
    read_rejects,
    row_content_hash,
)
from modgate.store._seen_ids import SeenIds

REDDIT = ItemMapping(
    columns={
        "id": "comment_id",
        "text": "body",
        "community": "subreddit",
        "created_at": "created_utc",
    }
)


def _csv(path: Path, rows: list[list[object]]) -> Path:
    lines = ["comment_id,body,subreddit,created_utc,score"]
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_rows_become_items_with_unmapped_columns_in_meta(store: Store, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "c.csv", [["c1", "hello", "news", 1700000000, 5], ["c2", "bye", "", "", 7]]
    )
    report = import_items(store, path, actor="ana", mapping=REDDIT)
    assert (report.inserted, report.rejected, report.rejects_path) == (2, 0, None)
    first = get_item(store, "c1")
    assert first.body == "hello"
    assert first.community == "news"
    assert first.created_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert first.meta == {"score": "5"}
    second = get_item(store, "c2")
    assert (second.community, second.created_at) == (None, None)
    audit = list_audit_events(store, action="items.import")
    assert audit[0].actor == "ana"
    assert audit[0].details["inserted"] == 2


def test_reimport_is_idempotent_and_changes_are_updated_and_audited(
    store: Store, tmp_path: Path
) -> None:
    rows: list[list[object]] = [[f"c{n}", f"text {n}", "a", 1700000000 + n, n] for n in range(30)]
    path = _csv(tmp_path / "c.csv", rows)
    import_items(store, path, actor="ana", mapping=REDDIT, batch_size=7)
    again = import_items(store, path, actor="ana", mapping=REDDIT, batch_size=7)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 30)
    assert count_items(store) == 30
    rows[3][1] = "edited"
    _csv(path, rows)
    changed = import_items(store, path, actor="bob", mapping=REDDIT)
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 29)
    assert get_item(store, "c3").body == "edited"
    updates = list_audit_events(store, action="items.update")
    assert [(e.actor, e.details["ids"]) for e in updates] == [("bob", ["c3"])]


def test_import_and_save_items_agree_on_content(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path / "c.csv", [["c1", "hello", "news", 1700000000, 5]])
    import_items(store, path, actor="ana", mapping=REDDIT)
    stored = get_item(store, "c1")
    # the import's fast hash equals the model's hash, so a later save_items sees no change
    again = import_items(store, path, actor="ana", mapping=REDDIT)
    assert again.unchanged == 1
    assert item_content_hash(stored) == row_content_hash(item_to_row(stored, now=datetime.now(UTC)))


def test_duplicates_across_batches_and_after_spilling_to_disk(store: Store, tmp_path: Path) -> None:
    rows: list[list[object]] = [[f"c{n % 40}", f"t{n}", "a", "", n] for n in range(100)]
    path = _csv(tmp_path / "c.csv", rows)
    report = import_items(
        store, path, actor="ana", mapping=REDDIT, batch_size=9, spill_ids_after=10
    )
    assert (report.inserted, report.rejected) == (40, 60)
    assert report.rejected_by_reason == {"duplicate_id": 60}
    assert get_item(store, "c5").body == "t5"  # first occurrence wins
    lines = sorted(r.line for r in read_rejects(Path(report.rejects_path or "")))
    assert lines == list(range(42, 102))


def test_row_level_rejects_keep_line_reason_and_raw(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    records = [
        {"id": "a", "text": "ok", "kind": "t1", "created_at": "2026-01-02T03:04:05+02:00"},
        {"id": "b", "text": "   "},
        {"text": "no id"},
        {"id": "c", "text": "x", "created_at": "yesterday"},
        {"id": "d", "text": "x", "kind": "tweet"},
        {"id": "e", "text": "x" * 101},
        {"id": "f", "text": "x", "community": "c" * 300},
        {"id": 7, "text": 12, "meta_field": {"nested": [1, 2]}},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    rejects_path = tmp_path / "out" / "rejects.jsonl"
    report = import_items(store, path, actor="ana", max_text_bytes=100, rejects_path=rejects_path)
    assert report.inserted == 2
    assert get_item(store, "a").kind == "comment"
    assert get_item(store, "a").created_at == datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert get_item(store, "7").body == "12"
    assert get_item(store, "7").meta == {"meta_field": {"nested": [1, 2]}}
    found = [(r.line, r.reason) for r in read_rejects(rejects_path)]
    assert found == [
        (2, RejectReason.MISSING_TEXT),
        (3, RejectReason.MISSING_ID),
        (4, RejectReason.BAD_TIMESTAMP),
        (5, RejectReason.INVALID_VALUE),
        (6, RejectReason.TEXT_TOO_LARGE),
        (7, RejectReason.INVALID_VALUE),
    ]
    assert json.loads(read_rejects(rejects_path)[0].raw) == records[1]


@pytest.mark.parametrize("name", ["i.csv.gz", "i.jsonl.gz", "i.parquet", "i.tsv"])
def test_every_format_imports(store: Store, tmp_path: Path, name: str) -> None:
    rows = [{"id": f"x{n}", "text": f"text {n}", "community": "c"} for n in range(5)]
    path = tmp_path / name
    if name.endswith(".parquet"):
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif ".jsonl" in name:
        path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    else:
        sep = "\t" if name.endswith(".tsv") else ","
        body = f"id{sep}text{sep}community\n" + "".join(sep.join(r.values()) + "\n" for r in rows)
        path.write_bytes(gzip.compress(body.encode()) if name.endswith(".gz") else body.encode())
    report = import_items(store, path, actor="ana")
    assert (report.inserted, report.rejected) == (5, 0)
    assert get_item(store, "x3").body == "text 3"


def test_mapping_error_lists_columns_and_suggests(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path / "c.csv", [["c1", "hello", "news", 1700000000, 5]])
    with pytest.raises(ValidationError) as info:
        import_items(store, path, actor="ana")
    message = str(info.value)
    assert "'comment_id', 'body', 'subreddit', 'created_utc', 'score'" in message
    assert info.value.hint is not None
    assert "--id comment_id" in info.value.hint
    assert "--created-at created_utc" in info.value.hint
    assert count_items(store) == 0


def test_mapping_to_a_missing_column_names_it(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path / "c.csv", [["c1", "hello", "news", 1700000000, 5]])
    bad = ItemMapping(columns={"id": "comment_id", "text": "bodi"})
    with pytest.raises(
        ValidationError, match=r"--text 'bodi': no such column \(did you mean 'body'"
    ):
        import_items(store, path, actor="ana", mapping=bad)


def test_jsonl_key_first_seen_late_in_the_file_can_be_mapped(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "late.jsonl"
    records: list[dict[str, Any]] = [{"id": f"a{n}", "body": f"text {n}"} for n in range(150)]
    records.append({"id": "late", "body": "late text", "forum": "gardening"})
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    mapping = ItemMapping(columns={"id": "id", "text": "body", "community": "forum"})
    report = import_items(sqlite_store, path, actor="ana", mapping=mapping)
    assert report.inserted == 151
    assert get_item(sqlite_store, "late").community == "gardening"
    assert get_item(sqlite_store, "a0").community is None
    typo = ItemMapping(columns={"id": "id", "text": "bodi"})  # missing everywhere: rows rejected
    report = import_items(sqlite_store, path, actor="ana", mapping=typo)
    assert report.inserted == 0
    assert report.rejected == 151
    assert report.rejected_by_reason == {"missing_text": 151}


def test_defaults_and_dropped_columns(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path / "c.csv", [["c1", "hello", "", 1700000000, 5]])
    mapping = ItemMapping(
        columns={"id": "comment_id", "text": "body"},
        defaults={"kind": "comment", "community": "fallback"},
        drop=("score", "created_utc"),
    )
    import_items(store, path, actor="ana", mapping=mapping)
    item = get_item(store, "c1")
    assert (item.kind, item.community, item.meta) == ("comment", "fallback", {"subreddit": ""})


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)  # hypothesis takes naive bounds with `timezones=`


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


_OPTIONAL_TEXT = st.none() | st.text(max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    body=st.text(min_size=1),
    fields=st.fixed_dictionaries(
        {
            "community": _OPTIONAL_TEXT,
            "title": _OPTIONAL_TEXT,
            "url": _OPTIONAL_TEXT,
            "author_id": _OPTIONAL_TEXT,
            "parent_id": _OPTIONAL_TEXT,
            "parent_text": _OPTIONAL_TEXT,
            "language": _OPTIONAL_TEXT,
            "kind": st.sampled_from(["post", "comment", "message", "other"]),
        }
    ),
    author=st.none() | st.builds(AuthorInfo, karma=st.none() | st.integers(), flair=_OPTIONAL_TEXT),
    created=st.none()
    | st.datetimes(
        min_value=_naive(datetime(1, 1, 2, tzinfo=UTC)),
        max_value=_naive(datetime(9999, 12, 30, tzinfo=UTC)),
        timezones=st.just(UTC),
    ),
    meta=st.dictionaries(st.text(max_size=5), _JSON_VALUES, max_size=4),
)
def test_row_hash_equals_model_hash(
    body: str,
    fields: dict[str, Any],
    author: AuthorInfo | None,
    created: datetime | None,
    meta: dict[str, object],
) -> None:
    item = Item(id="x", body=body, author=author, created_at=created, meta=meta, **fields)
    row = item_to_row(item, now=datetime.now(UTC))
    assert row_content_hash(row) == item_content_hash(item)


def test_seen_ids_report_repeats_in_memory_and_on_disk() -> None:
    with SeenIds(spill_after=3) as seen:
        assert seen.take(["a", "b"]) == set()
        assert seen.take(["b", "c"]) == {"b"}
        assert seen.spilled is False
        assert seen.take(["d", "a"]) == {"a"}
        assert seen.spilled is True
        assert seen.take(["c", "e"]) == {"c"}
        assert seen.take(["e"]) == {"e"}


def test_a_failed_batch_write_names_the_lines_and_keeps_earlier_batches(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import modgate.store._item_import as module

    real = module.write_item_rows
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "write_item_rows", flaky)
    path = _csv(tmp_path / "c.csv", [[f"c{n}", "t", "a", "", n] for n in range(6)])
    with pytest.raises(StoreError, match=r"lines 5-7 failed: disk I/O error"):
        import_items(sqlite_store, path, actor="ana", mapping=REDDIT, batch_size=3)
    assert count_items(sqlite_store) == 3
