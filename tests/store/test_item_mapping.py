from __future__ import annotations

from pathlib import Path

import pytest

from modgate.errors import ValidationError
from modgate.store import ItemMapping, load_mapping_file, resolve_mapping, suggest_mapping


def test_same_named_columns_map_without_flags_and_the_rest_goes_to_meta() -> None:
    resolved = resolve_mapping(["id", "body", "community", "score"], ItemMapping(), source="f")
    assert resolved.columns == {"id": "id", "text": "body", "community": "community"}
    assert "score" not in resolved.consumed


def test_suggestion_uses_export_column_names() -> None:
    columns = ["comment_id", "body", "subreddit", "created_utc", "author", "permalink", "x"]
    assert suggest_mapping(columns) == {
        "id": "comment_id",
        "text": "body",
        "community": "subreddit",
        "created_at": "created_utc",
        "author_id": "author",
        "url": "permalink",
    }


def test_mapping_file_round_trip_and_flags_win(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "columns:\n  text: body\n  id: cid\ndefaults:\n  kind: comment\ndrop: [junk]\n",
        encoding="utf-8",
    )
    mapping = load_mapping_file(path).merged(ItemMapping(columns={"id": "comment_id"}))
    assert mapping.columns == {"text": "body", "id": "comment_id"}
    assert mapping.defaults == {"kind": "comment"}
    assert mapping.drop == ("junk",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("columns:\n  txt: body\n", "columns.txt"),
        ("colums: {}\n", "colums"),
        ("columns: [\n", "invalid YAML"),
    ],
)
def test_bad_mapping_file_names_the_file_and_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=message) as info:
        load_mapping_file(path)
    assert str(path) in str(info.value)
