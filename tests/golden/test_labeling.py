"""Label Studio and Argilla files, built here in each tool's documented shape, import with
their annotators; export → import gives the same golden set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modgate.errors import ValidationError
from modgate.golden import (
    ImportOptions,
    export_labeling_file,
    import_golden_file,
    import_labeling_file,
)
from modgate.golden._repo import load_annotations, load_items
from modgate.store import Store
from tests.golden.conftest import annotation_rows, write_csv


def _label_studio_export() -> list[dict[str, object]]:
    """A Label Studio JSON export: tasks, annotations by user id, a cancelled one, a
    multi-choice one, a non-choices result, the `completed_by` object form."""
    return [
        {"id": 11, "project": 3, "data": {"text": "you are vermin", "policy": "hate"},
         "annotations": [
             {"id": 101, "completed_by": 7, "was_cancelled": False, "lead_time": 3.1,
              "result": [{"id": "a1", "from_name": "label", "to_name": "text",
                          "type": "choices", "value": {"choices": ["violating"]}}]},
             {"id": 102, "completed_by": {"id": 8, "email": "bo@example.org"},
              "was_cancelled": False,
              "result": [{"id": "a2", "from_name": "label", "to_name": "text",
                          "type": "choices", "value": {"choices": ["violating"]}},
                         {"id": "a3", "from_name": "note", "to_name": "text",
                          "type": "textarea", "value": {"text": ["obvious"]}}]},
             {"id": 103, "completed_by": 9, "was_cancelled": True, "result": []},
         ], "predictions": []},
        {"id": 12, "data": {"text": "nice weather", "policy": "hate"},
         "annotations": [
             {"id": 104, "completed_by": 7, "was_cancelled": False,
              "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                          "value": {"choices": ["non_violating"]}}]},
         ]},
    ]  # fmt: skip


def _argilla_records() -> list[dict[str, object]]:
    """Argilla v2 records as `Record.to_dict` gives them: fields, metadata, responses by
    question with user ids and statuses (a discarded one is skipped)."""
    return [
        {"id": "r1", "fields": {"text": "you are vermin"}, "metadata": {"policy": "hate"},
         "responses": {"label": [
             {"value": "violating", "user_id": "5b8f-ann", "status": "submitted"},
             {"value": "non_violating", "user_id": "77aa-bob", "status": "submitted"},
             {"value": "violating", "user_id": "99cc-cy", "status": "discarded"}]},
         "suggestions": {"label": {"value": "violating", "score": 0.8, "agent": "m"}},
         "vectors": {}, "status": "completed"},
        {"id": "r2", "fields": {"text": "nice weather"}, "metadata": {"policy": "hate"},
         "responses": {"label": [{"value": "non_violating", "user_id": "5b8f-ann",
                                   "status": "submitted"}]},
         "status": "completed"},
    ]  # fmt: skip


def _annotations(store: Store, name: str) -> set[tuple[str, str | None, str, int]]:
    with store.connect() as conn:
        grouped = load_annotations(conn, name)
    return {(r.item_id, r.annotator, r.label, r.votes) for rs in grouped.values() for r in rs}


def test_a_label_studio_export_imports_with_its_annotators(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "project-3.json"
    path.write_text(json.dumps(_label_studio_export()), encoding="utf-8")
    result = import_labeling_file(store, "ls", path, "label-studio", ImportOptions(), actor="t")
    assert result.rejected == 0 and result.items == 2
    assert _annotations(store, "ls") == {
        ("11", "7", "violating", 1),
        ("11", "bo@example.org", "violating", 1),
        ("12", "7", "non_violating", 1),
    }


def test_argilla_records_import_with_their_annotators(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(_argilla_records()), encoding="utf-8")
    result = import_labeling_file(store, "ar", path, "argilla", ImportOptions(), actor="t")
    assert result.rejected == 0 and result.items == 2
    assert _annotations(store, "ar") == {
        ("r1", "5b8f-ann", "violating", 1),
        ("r1", "77aa-bob", "non_violating", 1),
        ("r2", "5b8f-ann", "non_violating", 1),
    }
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in _argilla_records()), encoding="utf-8")
    again = import_labeling_file(store, "ar", jsonl, "argilla", ImportOptions(), actor="t",
                                 )  # fmt: skip
    assert again.items_written.updated == 0


@pytest.mark.parametrize("tool", ["label-studio", "argilla"])
def test_export_then_import_gives_the_same_golden_set(
    store: Store, tmp_path: Path, tool: str
) -> None:
    source = write_csv(tmp_path / "labels.csv", annotation_rows())
    import_golden_file(store, "orig", source, ImportOptions(policy="hate_speech"), actor="t")
    path = tmp_path / f"export-{tool}.json"
    count = export_labeling_file(store, "orig", path, tool)  # type: ignore[arg-type]
    assert count == 6
    result = import_labeling_file(store, "copy", path, tool, ImportOptions(), actor="t")  # type: ignore[arg-type]
    assert result.rejected == 0
    assert result.items_written.updated == 0 and result.items_written.unchanged == 6
    assert _annotations(store, "copy") == _annotations(store, "orig")
    with store.connect() as conn:
        original = {e.golden.item_id: (e.text, e.golden.policy, e.golden.tags, e.golden.allowed,
                                       e.golden.source, e.golden.group)
                    for e in load_items(conn, "orig")}  # fmt: skip
        copied = {e.golden.item_id: (e.text, e.golden.policy, e.golden.tags, e.golden.allowed,
                                     e.golden.source, e.golden.group)
                  for e in load_items(conn, "copy")}  # fmt: skip
    assert copied == original


def test_a_file_that_is_not_the_tools_json_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"not": "a list"', encoding="utf-8")
    with pytest.raises(ValidationError, match="not JSON"):
        import_labeling_file(store, "x", path, "argilla", ImportOptions(), actor="t")
