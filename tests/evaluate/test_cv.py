"""`eval cv` on a shared dataset (ETHOS binary, read in place): grouped stratified folds whose
per-fold figures equal scikit-learn recomputed from the stored fold predictions."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, f1_score, precision_score, roc_auc_score

from modgate.enforce import EnforcerSpec
from modgate.errors import ValidationError
from modgate.evaluate import FigureConfig, IntervalConfig, cross_validate, load_predictions
from modgate.golden import ImportOptions, freeze_golden_set, golden_version_rows, import_golden_file
from modgate.store import Store

ETHOS = Path("/work/shared/data/ethos/ethos-binary.jsonl.gz")
pytestmark = pytest.mark.skipif(not ETHOS.is_file(), reason="shared ETHOS data not present")


def _spec(name: str, c: float) -> EnforcerSpec:
    return EnforcerSpec(name=name, kind="classifier", policy="hate_speech@1",
                        params={"profile": "fast", "n_features": 2**14, "C": c})  # fmt: skip


def _ethos_set(store: Store, tmp_path: Path) -> str:
    rows = [json.loads(line) for line in gzip.open(ETHOS, "rt", encoding="utf-8")]
    path = tmp_path / "ethos.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, row in enumerate(rows):
            # A group key per ten consecutive rows, so grouping is exercised on real text.
            out.write(
                json.dumps(
                    {
                        "id": row["id"],
                        "text": row["text"],
                        "label": row["label"],
                        "policy": row["policy"],
                        "group": f"g{n // 10}",
                    }
                )
                + "\n"
            )
    result = import_golden_file(store, "ethos", path, ImportOptions(), actor="t")
    assert result.items > 900
    return freeze_golden_set(store, "ethos", actor="t").version.ref


def test_cv_folds_are_grouped_stratified_and_their_figures_equal_sklearn(
    store: Store, tmp_path: Path
) -> None:
    ref = _ethos_set(store, tmp_path)
    config = FigureConfig(intervals=IntervalConfig(resamples=20))
    report = cross_validate(store, _spec("weak", 0.05), ref, folds=3, seed=1,
                            against=_spec("strong", 8.0), actor="t", config=config)  # fmt: skip
    rows = [r for s in ("train", "dev") for r in golden_version_rows(store, ref, s)]
    gold = {r.item_id: r.label == "violating" for r in rows}
    group_of = {r.item_id: r.group for r in rows}
    seen: dict[str, int] = {}
    folds_of_group: dict[str, set[int]] = defaultdict(set)
    prevalence = np.mean(list(gold.values()))
    for results in (report.results, report.against_results):
        for fold in results:
            preds = load_predictions(store, fold.run_id)
            y = np.array([gold[p.item_id] for p in preds])
            yhat = np.array([p.predicted for p in preds])
            s = np.array([p.score for p in preds])
            assert fold.figures["precision"] == pytest.approx(precision_score(y, yhat))
            assert fold.figures["f1"] == pytest.approx(f1_score(y, yhat))
            assert fold.figures["auprc"] == pytest.approx(average_precision_score(y, s))
            assert fold.figures["roc_auc"] == pytest.approx(roc_auc_score(y, s))
            assert abs(y.mean() - prevalence) < 0.08  # stratified
            if results is report.results:
                for p in preds:
                    assert p.item_id not in seen
                    seen[p.item_id] = fold.fold
                    folds_of_group[group_of[p.item_id]].add(fold.fold)
    assert set(seen) == set(gold)  # every train+dev row held out exactly once
    assert all(len(f) == 1 for f in folds_of_group.values())  # groups never straddle folds
    for name in ("f1", "roc_auc"):
        values = [r.figures[name] for r in report.results]
        assert report.summary[name].mean == pytest.approx(np.mean(values))
        assert report.summary[name].sd == pytest.approx(np.std(values, ddof=1))
        for a, b, d in zip(report.results, report.against_results, report.delta_per_fold,
                           strict=True):  # fmt: skip
            assert d[name] == pytest.approx(b.figures[name] - a.figures[name])


def test_cv_refuses_too_many_folds_and_other_policies(store: Store, tmp_path: Path) -> None:
    ref = _ethos_set(store, tmp_path)
    with pytest.raises(ValidationError, match="groups of"):
        cross_validate(store, _spec("a", 1.0), ref, folds=500, actor="t")
    other = _spec("b", 1.0).model_copy(update={"policy": "spam@1"})
    with pytest.raises(ValidationError, match=r"no train/dev row of policy 'spam' \(it has"):
        cross_validate(store, other, ref, folds=3, actor="t")
