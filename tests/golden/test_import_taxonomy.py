"""Golden import for real taxonomies: multi-label rows, policy checks, one text rule, clean-up."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import multilabel_confusion_matrix

from modgate.domain import Item, Verdict
from modgate.errors import ConflictError, NotFoundError
from modgate.evaluate import EnforcerRef, StoreEvalSources, run_eval
from modgate.golden import (
    GoldenSetConfig,
    ImportOptions,
    SplitConfig,
    delete_golden_set,
    freeze_golden_set,
    golden_version_rows,
    import_golden_file,
    list_golden_sets,
)
from modgate.policy import load_policy_file, publish_policy
from modgate.store import Store, import_items, list_audit_events
from tests.golden.conftest import write_csv, write_jsonl

POLICY = Path(__file__).resolve().parents[2] / "src/modgate/policy/examples/hate_speech.yaml"
CATEGORIES = {"slur": "HATE1", "dehumanizing": "HATE2", "neither": "-"}
ALL_TEST = GoldenSetConfig(
    split=SplitConfig(ratios={"train": 0.0, "dev": 0.0, "test": 1.0}, group_by=("group",))
)


def _taxonomy_rows(n: int = 60) -> list[dict[str, object]]:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(n):
        cats = [c for c in ("slur", "dehumanizing") if rng.random() < 0.35] or ["neither"]
        for annotator in ("ann", "bob"):
            rows.append({"id": f"t{i:03d}", "text": f"  post number {i} with words\n",
                         "annotator": annotator, "label": cats, "policy": "HS",
                         "group": f"g{i}"})  # fmt: skip
    return rows


def _options(**extra: object) -> ImportOptions:
    return ImportOptions(
        multi_label=True, category_map=CATEGORIES, policy_map={"HS": "hate_speech"}, **extra
    )  # type: ignore[arg-type]


def test_list_labels_import_as_criteria_and_binary_gold_and_reimport_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    publish_policy(store, load_policy_file(POLICY), actor="t")
    path = write_jsonl(tmp_path / "tax.jsonl", _taxonomy_rows())
    first = import_golden_file(store, "tax", path, _options(), actor="t", config=ALL_TEST)
    assert first.rejected == 0 and first.items == 60 and first.warnings == ()
    updates_before = len(list_audit_events(store, action="items.update"))
    again = import_golden_file(store, "tax", path, _options(), actor="t")
    assert again.items_written.updated == 0 and again.items_written.unchanged == 60
    assert len(list_audit_events(store, action="items.update")) == updates_before
    freeze_golden_set(store, "tax", actor="t")
    rows = {r.item_id: r for r in golden_version_rows(store, "tax@1")}
    raw = {str(r["id"]): r["label"] for r in _taxonomy_rows()}
    for item_id, row in rows.items():
        expected = sorted(CATEGORIES[c] for c in raw[item_id] if CATEGORIES[c] != "-")  # type: ignore[union-attr]
        assert list(row.criteria) == expected
        assert row.label == ("violating" if expected else "non_violating")
        assert row.policy == "hate_speech"
        assert row.text.startswith("  post number")  # stored as written, like items import


def test_per_category_columns_import_and_evaluate_per_criterion(
    store: Store, tmp_path: Path
) -> None:
    rows = []
    for r in _taxonomy_rows(40):
        labels = r.pop("label")
        r.update({c: int(c in labels) for c in ("slur", "dehumanizing", "neither")})  # type: ignore[operator]
        rows.append(r)
    path = write_csv(tmp_path / "cols.csv", rows)
    options = ImportOptions(category_columns=("slur", "dehumanizing", "neither"),
                            category_map=CATEGORIES, policy="hate_speech",
                            policy_map={"HS": "hate_speech"})  # fmt: skip
    result = import_golden_file(store, "cols", path, options, actor="t", config=ALL_TEST)
    assert result.rejected == 0 and "not checked" in result.warnings[0]
    freeze_golden_set(store, "cols", actor="t")
    golden, examples = StoreEvalSources(store).golden("cols@1", "test", policy="hate_speech")
    assert len(examples) == 40

    class SlurSpotter:
        """Fires HATE1 on even-numbered items, HATE2 on every third."""

        def predict(self, items: list[Item]) -> list[Verdict]:
            out = []
            for item in items:
                n = int(item.id[1:])
                fired = tuple(c for c, on in (("HATE1", n % 2 == 0), ("HATE2", n % 3 == 0)) if on)
                out.append(Verdict(item_id=item.id, policy="hate_speech@1", enforcer="spot@1",
                                   score=0.9 if fired else 0.1, criteria=fired,
                                   label="violating" if fired else "non_violating"))  # fmt: skip
            return out

    ref = EnforcerRef(name="spot", version=1, version_hash="s" * 64, policy="hate_speech@1")
    run = run_eval(store, enforcer=ref, golden=golden, examples=examples, actor="t",
                   predictor=SlurSpotter())  # type: ignore[arg-type]  # fmt: skip
    names = ["HATE1", "HATE2"]
    gold = np.array([[c in e.gold_criteria for c in names] for e in examples])
    fired = np.array([[c in v.criteria for c in names]
                      for v in SlurSpotter().predict([e.item for e in examples])])  # fmt: skip
    for name, matrix in zip(names, multilabel_confusion_matrix(gold, fired), strict=True):
        counts = run.figures.criteria[name]
        assert (counts.tn, counts.fp, counts.fn, counts.tp) == tuple(int(v) for v in matrix.ravel())
    assert {"criterion=HATE1", "criterion=HATE2"} <= {g.name for g in run.figures.slices}


def test_unpublished_policy_values_are_rejected_naming_the_published_ones(
    store: Store, tmp_path: Path
) -> None:
    publish_policy(store, load_policy_file(POLICY), actor="t")
    rows = _taxonomy_rows(4)
    rows[0]["policy"] = "harassment"
    path = write_jsonl(tmp_path / "mixed.jsonl", rows)
    result = import_golden_file(store, "mixed", path, _options(), actor="t")
    assert result.rejected == 1
    reject = json.loads(Path(result.rejects_path or "").read_text().splitlines()[0])
    assert "'harassment' is not published (published: hate_speech@1)" in reject["detail"]


def test_a_failed_import_leaves_no_set_behind(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n{"id": "y"}\n', encoding="utf-8")
    result = import_golden_file(store, "empty", bad, ImportOptions(policy="p"), actor="t")
    assert result.items == 0 and result.rejected == 2
    assert "empty" not in {s.name for s in list_golden_sets(store)}
    unreadable = tmp_path / "nope.parquet"
    unreadable.write_bytes(b"not parquet at all")
    with pytest.raises(Exception):  # noqa: B017  (the reader's own error: file unreadable)
        import_golden_file(store, "broken", unreadable, ImportOptions(policy="p"), actor="t")
    assert "broken" not in {s.name for s in list_golden_sets(store)}


def test_golden_and_items_import_store_the_same_text(store: Store, tmp_path: Path) -> None:
    rows = [{"id": f"w{i}", "text": f"  spaced  text {i} \n", "label": "violating",
             "annotator": "a"} for i in range(5)]  # fmt: skip
    path = write_csv(tmp_path / "w.csv", rows)
    import_items(store, path, actor="t")
    result = import_golden_file(store, "w", path, ImportOptions(policy="p"), actor="t")
    assert result.items_written.updated == 0 and result.items_written.unchanged == 5


def test_golden_delete_is_refused_while_eval_runs_use_it_unless_forced(
    store: Store, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "tax.jsonl", _taxonomy_rows(30))
    import_golden_file(store, "tax", path, _options(policy="hate_speech"), actor="t",
                       config=ALL_TEST)  # fmt: skip
    freeze_golden_set(store, "tax", actor="t")
    golden, examples = StoreEvalSources(store).golden("tax@1", "test")

    class Constant:
        def predict(self, items: list[Item]) -> list[Verdict]:
            return [Verdict(item_id=i.id, policy="hate_speech@1", enforcer="c@1", score=0.5,
                            label="non_violating") for i in items]  # fmt: skip

    ref = EnforcerRef(name="c", version=1, version_hash="c" * 64, policy="hate_speech@1")
    run = run_eval(store, enforcer=ref, golden=golden, examples=examples, actor="t",
                   predictor=Constant())  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(ConflictError, match=run.id):
        delete_golden_set(store, "tax", actor="t")
    result = delete_golden_set(store, "tax", actor="t", force=True)
    assert result.forced and result.eval_runs == (run.id,)
    assert result.deleted["golden_versions"] == 1
    events = list_audit_events(store, action="golden.delete")
    assert events and events[0].details["forced"] is True
    with pytest.raises(NotFoundError):
        delete_golden_set(store, "tax", actor="t")
