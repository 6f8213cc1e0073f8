from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modgate.errors import ValidationError
from modgate.golden import (
    ImportOptions,
    export_golden_set,
    import_golden_file,
    show_golden_set,
)
from modgate.golden._adjudicate import load_resolved
from modgate.store import Store, get_item, list_audit_events, read_rejects

from .conftest import LABEL_MAP, annotation_rows, write_csv, write_jsonl


def _votes_rows() -> list[dict[str, object]]:
    return [
        {
            "id": "d1",
            "text": "first tweet",
            "hate_votes": 2,
            "offensive_votes": 1,
            "neither_votes": 0,
        },
        {
            "id": "d2",
            "text": "second tweet",
            "hate_votes": 0,
            "offensive_votes": 3,
            "neither_votes": 0,
        },
        {
            "id": "d3",
            "text": "third tweet",
            "hate_votes": 0,
            "offensive_votes": 1,
            "neither_votes": 5,
        },
    ]


def _state(store: Store, name: str = "g") -> dict[str, dict[str, int]]:
    with store.connect() as conn:
        resolved = load_resolved(conn, name)
    out = {}
    for entry in resolved:
        counts: dict[str, int] = {}
        for r in entry.ratings:
            counts[r.label] = counts.get(r.label, 0) + r.votes
        out[entry.item_id] = counts
    return out


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_vote_count_shape_maps_classes_to_labels(store: Store, tmp_path: Path, fmt: str) -> None:
    rows = _votes_rows()
    path = tmp_path / f"votes.{fmt}"
    if fmt == "csv":
        write_csv(path, rows)
    elif fmt == "jsonl":
        write_jsonl(path, rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    options = ImportOptions(shape="votes", policy="hate_speech", label_map=LABEL_MAP)
    result = import_golden_file(store, "g", path, options, actor="t")
    assert (result.items, result.rejected, result.votes) == (3, 0, 12)
    assert _state(store) == {
        "d1": {"violating": 2, "non_violating": 1},
        "d2": {"non_violating": 3},
        "d3": {"non_violating": 6},
    }
    assert get_item(store, "d1").body == "first tweet"


def test_votes_nested_in_meta_are_found_and_meta_is_kept(store: Store, tmp_path: Path) -> None:
    rows = [
        {"id": "x1", "text": "a", "label": "violating", "policy": "hate_speech",
         "meta": {"hate_votes": 3, "neither_votes": 1, "row": "17"}},
    ]  # fmt: skip
    options = ImportOptions(shape="votes", label_map=LABEL_MAP)
    import_golden_file(store, "g", write_jsonl(tmp_path / "n.jsonl", rows), options, actor="t")
    assert _state(store) == {"x1": {"violating": 3, "non_violating": 1}}
    meta = get_item(store, "x1").meta
    assert meta["row"] == "17" and meta["label"] == "violating"


def test_bad_rows_go_to_the_rejects_file_with_line_and_reason(store: Store, tmp_path: Path) -> None:
    rows = [
        {"id": "ok", "text": "fine", "annotator": "a", "label": "hate"},
        {"id": "", "text": "no id", "annotator": "a", "label": "hate"},
        {"id": "nt", "text": "", "annotator": "a", "label": "hate"},
        {"id": "um", "text": "x", "annotator": "a", "label": "sarcastic"},
        {"id": "ok", "text": "fine", "annotator": "a", "label": "neither"},
        {"id": "ok", "text": "changed", "annotator": "b", "label": "hate"},
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    options = ImportOptions(policy="p", label_map=LABEL_MAP)
    result = import_golden_file(store, "g", path, options, actor="t")
    assert result.rows == 6 and result.items == 1 and result.rejected == 5
    rejects = read_rejects(Path(result.rejects_path or ""))
    assert [(r.line, r.reason) for r in rejects] == [
        (3, "missing_id"),
        (4, "missing_text"),
        (5, "invalid_value"),
        (6, "duplicate_id"),
        (7, "invalid_value"),
    ]
    assert "sarcastic" in rejects[2].detail and "line 2" in rejects[3].detail
    assert json.loads(rejects[2].raw)["label"] == "sarcastic"  # nothing lost


def test_missing_policy_and_bad_vote_count_are_rejected(store: Store, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": "t", "hate_votes": "two"},
        {"id": "b", "text": "t", "hate_votes": "0"},
        {"id": "c", "text": "t", "hate_votes": "-1"},
    ]
    path = write_csv(tmp_path / "v.csv", rows)
    result = import_golden_file(
        store, "g", path, ImportOptions(shape="votes", policy="p"), actor="t"
    )
    assert result.rejected == 3
    no_policy = import_golden_file(
        store, "h", write_csv(tmp_path / "w.csv", _votes_rows()), ImportOptions(shape="votes"),
        actor="t",
    )  # fmt: skip
    assert no_policy.rejected == 3 and no_policy.reject_reasons == {"invalid_value": 3}


def test_reimport_replaces_its_own_annotations_and_keeps_gold(
    annotated: Store, tmp_path: Path
) -> None:
    before = _state(annotated)
    path = write_csv(tmp_path / "labels.csv", annotation_rows())
    again = import_golden_file(annotated, "g", path, ImportOptions(policy="hate_speech"), actor="t")
    assert again.items_written.unchanged == 6 and again.items_written.inserted == 0
    assert _state(annotated) == before
    detail = show_golden_set(annotated, "g")
    assert detail.annotations == 16 and detail.annotators == 3
    assert detail.gold_labels == {"(unresolved)": 2, "non_violating": 2, "violating": 2}
    actions = [e.action for e in list_audit_events(annotated, limit=100)]
    assert actions.count("golden.import") == 2


def test_tags_allowed_and_groups_are_parsed(annotated: Store) -> None:
    with annotated.connect() as conn:
        resolved = {e.item_id: e for e in load_resolved(conn, "g")}
    golden = resolved["i2"].loaded.golden
    assert golden.tags == ("quote", "sarcasm")
    assert resolved["i3"].loaded.golden.allowed == ("counter_speech",)
    assert golden.group == "thread-0" and golden.source == "forum"
    assert {r.rationale for r in resolved["i2"].ratings} == {"ann thinks so", "bob thinks so"}


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("shape", ["annotations", "votes"])
def test_export_round_trips_through_import(
    annotated: Store, tmp_path: Path, suffix: str, shape: str
) -> None:
    path = tmp_path / f"out.{suffix}"
    export_golden_set(annotated, "g", path, shape=shape)  # type: ignore[arg-type]
    import_golden_file(
        annotated,
        "copy",
        path,
        ImportOptions(shape=shape),
        actor="t",  # type: ignore[arg-type]
    )
    original, copy = _state(annotated, "g"), _state(annotated, "copy")
    assert copy == original
    with annotated.connect() as conn:
        tags = {e.item_id: e.loaded.golden.tags for e in load_resolved(conn, "copy")}
    assert tags["i2"] == ("quote", "sarcasm")


def test_unknown_file_format_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "labels.xlsx"
    path.write_text("x")
    with pytest.raises(ValidationError, match="format"):
        import_golden_file(store, "g", path, ImportOptions(policy="p"), actor="t")


def test_golden_import_keeps_item_fields_it_does_not_carry(store: Store, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from modgate.domain import AuthorInfo, Item
    from modgate.store import save_items

    created = datetime(2026, 3, 1, tzinfo=UTC)
    save_items(
        store,
        [
            Item(
                id="i1", kind="comment", title="T", body="old text", community="r/x",
                created_at=created, author=AuthorInfo(karma=5), meta={"score": 3},
            )
        ],
        actor="t",
    )  # fmt: skip
    path = write_csv(tmp_path / "g.csv", [{"id": "i1", "text": "old text", "label": "v", "x": "1"}])
    import_golden_file(store, "g", path, ImportOptions(policy="p"), actor="t")
    item = get_item(store, "i1")
    assert (item.kind, item.title, item.community, item.created_at) == (
        "comment", "T", "r/x", created,
    )  # fmt: skip
    assert item.author == AuthorInfo(karma=5) and item.meta == {"score": 3, "x": "1"}


def test_a_list_where_a_single_value_belongs_is_rejected(store: Store, tmp_path: Path) -> None:
    rows = [
        {"id": "ok", "text": "fine", "label": "v", "parent_id": "p"},
        {"id": "bad", "text": "fine", "label": "v", "parent_id": ["not", "a", "string"]},
    ]
    path = write_jsonl(tmp_path / "r.jsonl", rows)
    result = import_golden_file(store, "g", path, ImportOptions(policy="p"), actor="t")
    assert result.items == 1 and result.reject_reasons == {"invalid_value": 1}
    detail = read_rejects(Path(result.rejects_path or "")).pop().detail
    assert "parent_id" in detail and "single value" in detail
