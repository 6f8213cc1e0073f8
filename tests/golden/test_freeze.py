from __future__ import annotations

from collections import defaultdict

import pytest

from modgate.errors import NotFoundError, ValidationError
from modgate.golden import (
    auto_adjudicate,
    freeze_golden_set,
    get_golden_version,
    golden_version_rows,
    set_gold_label,
)
from modgate.store import Store


def test_freezing_twice_without_change_gives_the_same_hash_and_version(annotated: Store) -> None:
    first = freeze_golden_set(annotated, "g", actor="t")
    again = freeze_golden_set(annotated, "g", actor="t")
    assert first.created and not again.created
    assert first.version.content_hash == again.version.content_hash
    assert again.version.version == 1
    assert first.unresolved == 2 and first.version.item_count == 4


def test_any_label_change_gives_a_new_hash(annotated: Store) -> None:
    first = freeze_golden_set(annotated, "g", actor="t").version
    set_gold_label(annotated, "g", "i1", "non_violating", reason="re-read", actor="lead")
    second = freeze_golden_set(annotated, "g", actor="t").version
    assert second.version == 2 and second.content_hash != first.content_hash
    set_gold_label(annotated, "g", "i1", "violating", reason="back", actor="lead")
    third = freeze_golden_set(annotated, "g", actor="t").version
    assert third.content_hash != second.content_hash
    # the old version is immutable: its rows still hold the old label
    old = {r.item_id: r.label for r in golden_version_rows(annotated, "g@2")}
    assert old["i1"] == "non_violating"
    assert get_golden_version(annotated, "g").version == 3


def test_version_rows_carry_text_label_weight_and_grouped_splits(annotated: Store) -> None:
    auto_adjudicate(annotated, "g", method="dawid-skene", actor="bot")
    result = freeze_golden_set(annotated, "g", actor="t", require_resolved=True)
    rows = golden_version_rows(annotated, "g@1")
    assert len(rows) == 6 == result.version.item_count
    by_group: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_group[row.group].add(row.split)
        assert row.text.startswith("text number") and 0 < row.weight <= 1
    assert all(len(splits) == 1 for splits in by_group.values())
    unanimous = next(r for r in rows if r.item_id == "i1")
    assert unanimous.weight == 1.0
    for split in ("train", "dev", "test"):
        assert all(r.split == split for r in golden_version_rows(annotated, "g", split))


def test_unresolved_items_block_a_strict_freeze(annotated: Store) -> None:
    with pytest.raises(ValidationError, match="without a gold label"):
        freeze_golden_set(annotated, "g", actor="t", require_resolved=True)
    with pytest.raises(NotFoundError):
        get_golden_version(annotated, "g@9")
    with pytest.raises(ValidationError):
        golden_version_rows(annotated, "g@1", "holdout")


def test_content_hash_is_canonical_over_row_order_and_tag_order(annotated: Store) -> None:
    from modgate.golden import content_hash

    rows = golden_version_rows(annotated, freeze_golden_set(annotated, "g", actor="t").version.ref)
    hashes = {r.item_id: f"h{r.item_id}" for r in rows}
    reordered = [r.model_copy(update={"tags": tuple(reversed(r.tags))}) for r in reversed(rows)]
    assert content_hash(rows, hashes) == content_hash(reordered, hashes)
    moved = [rows[0].model_copy(update={"split": "test" if rows[0].split != "test" else "dev"})]
    assert content_hash(moved + rows[1:], hashes) != content_hash(rows, hashes)
    retagged = [rows[0].model_copy(update={"tags": ("new",)})]
    assert content_hash(retagged + rows[1:], hashes) != content_hash(rows, hashes)
