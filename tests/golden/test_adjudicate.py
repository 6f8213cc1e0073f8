from __future__ import annotations

from pathlib import Path

import pytest

from modgate.errors import NotFoundError, ValidationError
from modgate.golden import (
    ImportOptions,
    add_annotation,
    adjudication_history,
    adjudication_queue,
    auto_adjudicate,
    check_golden_set,
    golden_agreement,
    import_golden_file,
    set_gold_label,
    show_golden_set,
)
from modgate.store import Store, list_audit_events

from .conftest import annotation_rows, write_csv


def test_queue_lists_disagreements_closest_split_first(annotated: Store) -> None:
    queue = adjudication_queue(annotated, "g")
    assert [e.item_id for e in queue] == ["i2", "i4"]  # 1-1 before 1-2
    assert queue[0].votes == {"non_violating": 1, "violating": 1}


def test_human_adjudication_needs_a_reason_and_keeps_history(annotated: Store) -> None:
    with pytest.raises(ValidationError, match="reason"):
        set_gold_label(annotated, "g", "i2", "violating", reason=" ", actor="lead")
    with pytest.raises(NotFoundError):
        set_gold_label(annotated, "g", "nope", "violating", reason="x", actor="lead")
    set_gold_label(annotated, "g", "i2", "violating", reason="slur aimed at a group", actor="lead")
    set_gold_label(annotated, "g", "i2", "non_violating", reason="it is a quote", actor="lead2")
    history = adjudication_history(annotated, "g", "i2")
    assert [(h.label, h.previous_label, h.actor) for h in history] == [
        ("violating", None, "lead"),
        ("non_violating", "violating", "lead2"),
    ]
    assert [e.item_id for e in adjudication_queue(annotated, "g")] == ["i4"]
    assert any(e.action == "golden.adjudicate" for e in list_audit_events(annotated, limit=50))


def test_majority_resolves_the_queue_but_never_overrides_a_human(annotated: Store) -> None:
    set_gold_label(annotated, "g", "i4", "non_violating", reason="context", actor="lead")
    result = auto_adjudicate(annotated, "g", method="majority", actor="bot")
    assert (result.queue, result.ties, result.human_kept) == (1, 1, 1)  # i2 is a 1-1 tie
    assert show_golden_set(annotated, "g").gold_labels["non_violating"] == 3
    add_annotation(annotated, "g", "i2", label="violating", annotator="zed", actor="t")
    result = auto_adjudicate(annotated, "g", method="majority", actor="bot")
    assert (result.changed, result.ties) == (1, 0)
    history = adjudication_history(annotated, "g", "i2")
    assert history[-1].method == "majority" and "2/3" in history[-1].reason
    assert show_golden_set(annotated, "g").set.unresolved == 0


def test_dawid_skene_sets_labels_on_the_queue(annotated: Store) -> None:
    result = auto_adjudicate(annotated, "g", method="dawid-skene", actor="bot")
    assert result.queue == 2 and result.changed + result.ties == 2
    assert all(
        h.method == "dawid-skene" and "posterior" in h.reason
        for h in adjudication_history(annotated, "g")
    )


def test_label_replaces_the_annotators_previous_label(annotated: Store) -> None:
    add_annotation(annotated, "g", "i1", label="non_violating", annotator="ann", actor="t")
    detail = show_golden_set(annotated, "g")
    assert detail.annotations == 16  # replaced, not added
    assert detail.gold_labels["(unresolved)"] == 3  # i1 now disagrees
    with pytest.raises(NotFoundError):
        add_annotation(annotated, "g", "zzz", label="x", annotator="ann", actor="t")


def test_agreement_of_a_stored_set_counts_items_and_pairs(annotated: Store) -> None:
    report = golden_agreement(annotated, "g")
    pairs = {
        r.pair: r.items
        for r in report.results
        if r.statistic == "cohen_kappa" and r.scope == "overall"
    }
    assert pairs == {"ann|bob": 6, "ann|sam": 4, "bob|sam": 4}
    alpha = next(r for r in report.results if r.statistic == "krippendorff_alpha")
    assert alpha.items == 6 and alpha.value is not None
    assert {r.group for r in report.results if r.scope == "tag"} == {"quote", "sarcasm"}


def test_check_finds_leakage_into_another_golden_set(annotated: Store, tmp_path: Path) -> None:
    rows = [r for r in annotation_rows() if r["id"] in ("i1", "i3")]
    for row in rows:
        row["id"] = f"train-{row['id']}"
    path = write_csv(tmp_path / "train.csv", rows)
    import_golden_file(annotated, "train", path, ImportOptions(policy="hate_speech"), actor="t")
    report = check_golden_set(annotated, "g", training_set="train")
    assert [(leak.item_id, leak.training_id, leak.exact) for leak in report.leaks] == [
        ("i1", "train-i1", True),
        ("i3", "train-i3", True),
    ]
    assert report.training_rows == 2
    assert {b.source for b in report.balance} == {"chat", "forum"}
    with pytest.raises(ValidationError, match="not both"):
        check_golden_set(annotated, "g", training_set="train", training_file=path)
