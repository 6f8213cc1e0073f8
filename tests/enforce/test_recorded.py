from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modgate.domain import Action, Item
from modgate.enforce import (
    EnforcerSpec,
    EnforcerThresholds,
    RecordedEnforcer,
    create_recorded_enforcer,
    read_recorded_predictions,
)
from modgate.errors import EnforcerError, ValidationError
from modgate.testing import check_enforcer, probe_items


def spec(path: Path, **params) -> EnforcerSpec:
    return EnforcerSpec(
        name="vendor", kind="recorded", policy="hate@1", version=1,
        params={"path": str(path), **params},
        thresholds=EnforcerThresholds(remove=0.8, review=0.5),
    )  # fmt: skip


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_jsonl_gz_and_parquet_read_the_same(tmp_path: Path) -> None:
    csv_path = write_csv(
        tmp_path / "p.csv",
        ["item_id,score,label,rationale,criteria", "a,0.9,violating,slur,h1;h2", "b,0.1,,,"],
    )
    rows = [
        {"item_id": "a", "score": 0.9, "label": "violating", "rationale": "slur",
         "criteria": ["h1", "h2"]},
        {"id": "b", "score": 0.1},
    ]  # fmt: skip
    jsonl = tmp_path / "p.jsonl.gz"
    with gzip.open(jsonl, "wt") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    parquet = tmp_path / "p.parquet"
    pq.write_table(
        pa.table({"item_id": ["a", "b"], "score": [0.9, 0.1], "label": ["violating", None],
                  "rationale": ["slur", None], "criteria": ["h1;h2", None]}),
        parquet,
    )  # fmt: skip
    results = [read_recorded_predictions(p, "hate@1") for p in (csv_path, jsonl, parquet)]
    assert results[0] == results[1] == results[2]
    assert results[0]["a"].criteria == ("h1", "h2") and results[0]["b"].label is None


def test_bad_rows_are_all_listed_with_line_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        ["item_id,score,label", "a,1.5,violating", ",0.2,", "c,high,", "d,0.3,maybe", "a,0.4,"],
    )
    with pytest.raises(ValidationError) as caught:
        read_recorded_predictions(path, "hate@1")
    message = str(caught.value)
    assert "4 bad row(s)" in message
    assert f"{path}:2: score:" in message
    assert f"{path}:3: no item id" in message
    assert f"{path}:4: score:" in message
    assert f"{path}:5: label:" in message
    assert f"{path}:6: item 'a' already predicted on line 2" not in message  # line 2 was bad
    ok = write_csv(tmp_path / "q.csv", ["item_id,score", "a,0.5", "a,0.6"])
    with pytest.raises(ValidationError, match=r"q.csv:3: item 'a' already predicted on line 2"):
        read_recorded_predictions(ok, "hate@1")


def test_rows_of_other_policies_are_skipped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        ["item_id,score,policy", "a,0.9,hate@1", "a,0.1,spam@1", "b,0.2,hate", "c,0.3,"],
    )
    found = read_recorded_predictions(path, "hate@1")
    assert sorted(found) == ["a", "b", "c"] and found["a"].score == 0.9


def test_missing_item_is_an_error_verdict_and_require_items_lists_them(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ["item_id,score", "a,0.9", "b,0.55"])
    enforcer = create_recorded_enforcer(spec(path))
    a, b, x = enforcer.predict([Item(id="a"), Item(id="b"), Item(id="x")])
    assert (a.action, a.label, a.enforcer) == (Action.REMOVE, "violating", "vendor@1")
    assert (b.action, b.label) == (Action.REVIEW, "violating")
    assert x.error is not None and x.action is Action.REVIEW
    assert enforcer.missing_items(["a", "x", "y", "x"]) == ["x", "y"]
    with pytest.raises(EnforcerError, match=r"no prediction for 2 item\(s\): x, y"):
        enforcer.require_items(["a", "x", "y"])
    enforcer.require_items(["a", "b"])


def test_passes_the_conformance_battery_with_and_without_gaps(tmp_path: Path) -> None:
    ids = sorted({item.id for item in probe_items()})
    lines = ["item_id,score,rationale"] + [f"{i},{n / 10:.1f},r{n}" for n, i in enumerate(ids)]
    full = create_recorded_enforcer(spec(write_csv(tmp_path / "full.csv", lines)))
    check_enforcer(full)
    gappy = create_recorded_enforcer(spec(write_csv(tmp_path / "gap.csv", lines[:4])))
    check_enforcer(gappy)
    assert isinstance(full, RecordedEnforcer) and len(full) == len(ids)


def test_changed_file_is_refused_when_its_hash_was_recorded(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ["item_id,score", "a,0.9"])
    with pytest.raises(EnforcerError, match="refusing a changed file"):
        create_recorded_enforcer(spec(path, sha256="0" * 64))


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not found"):
        read_recorded_predictions(tmp_path / "nope.csv", "hate@1")
    (tmp_path / "p.xlsx").write_text("x")
    with pytest.raises(ValidationError, match="unknown predictions format"):
        read_recorded_predictions(tmp_path / "p.xlsx", "hate@1")
