"""Evaluation scores what production scores: full stored items, each policy's own rows.

A two-policy golden set is built the way a user builds one (items import with every field,
golden import, freeze); two rule-set enforcers (one per policy) are registered from files;
the figures are checked against scikit-learn on each policy's rows alone, and the verdicts of
`eval run` against those `enforcer score` stores for the same items.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from modgate.config import Settings
from modgate.domain import AuthorInfo, Item
from modgate.enforce import EnforcerSpec, register_enforcer
from modgate.errors import ConflictError, ValidationError
from modgate.evaluate import (
    FigureConfig,
    IntervalConfig,
    StoreEvalSources,
    ThresholdTarget,
    compare_runs,
    load_predictions,
    run_eval_from_sources,
    tune_run_thresholds,
)
from modgate.golden import (
    GoldenSetConfig,
    ImportOptions,
    SplitConfig,
    freeze_golden_set,
    import_golden_file,
)
from modgate.store import Store, open_store, save_items
from tests.golden.conftest import write_csv

FAST = FigureConfig(intervals=IntervalConfig(resamples=50), min_support=5)

SPAM_RULES = """\
policy: spam@1
rules:
  - id: new-account-comment-promo
    criterion: promotion
    kinds: [comment]
    author: {account_age_days: "< 7"}
    keywords: [deal]
  - id: promo-title
    criterion: promotion
    score: 0.7
    action: review
    checks:
      - fields: [title]
        match: includes
        values: [FREE]
"""
HATE_RULES = """\
policy: hate@1
rules:
  - id: vermin
    criterion: dehumanization
    keywords: [vermin]
"""


def _items(n: int = 80) -> tuple[list[Item], list[dict[str, str]]]:
    """Items of two policies, with kind, title and author fields the rules read."""
    rng = np.random.default_rng(3)
    items, rows = [], []
    for i in range(n):
        spam = i % 2 == 0
        kind = "comment" if rng.random() < 0.6 else "post"
        age = float(rng.choice([1.0, 30.0]))
        title = "FREE stuff" if rng.random() < 0.25 else "a question"
        if spam:
            body = f"great deal number {i}" if rng.random() < 0.6 else f"my day number {i}"
            gold = "deal" in body and (kind == "comment" or "FREE" in title or age < 7)
        else:
            body = f"they are vermin {i}" if rng.random() < 0.4 else f"lovely weather {i}"
            gold = "vermin" in body if rng.random() < 0.9 else "vermin" not in body
        item_id = f"{'s' if spam else 'h'}{i:03d}"
        items.append(
            Item(
                id=item_id,
                kind=kind,
                title=title,
                body=body,
                community=f"c{i % 4}",
                author_id=f"a{i % 9}",
                author=AuthorInfo(account_age_days=age, karma=5),
                language="en",
            )  # fmt: skip
        )
        rows.append({"id": item_id, "text": body, "annotator": "ann",
                     "label": "violating" if gold else "non_violating",
                     "policy": "spam" if spam else "hate", "group": item_id})  # fmt: skip
    return items, rows


def _workspace_set_up(settings: Settings, tmp_path: Path) -> Store:
    ws = settings.workspace
    assert ws is not None
    store = open_store(settings)
    items, rows = _items()
    save_items(store, items, actor="t")
    config = GoldenSetConfig(
        split=SplitConfig(ratios={"train": 0.2, "dev": 0.1, "test": 0.7}, group_by=("group",))
    )
    result = import_golden_file(store, "two", write_csv(tmp_path / "g.csv", rows),
                                ImportOptions(), actor="t", config=config)  # fmt: skip
    assert result.rejected == 0
    freeze_golden_set(store, "two", actor="t")
    (ws / "rules").mkdir(exist_ok=True)
    for name, text, policy in (("spam", SPAM_RULES, "spam@1"), ("hate", HATE_RULES, "hate@1")):
        (ws / "rules" / f"{name}.yaml").write_text(text, encoding="utf-8")
        register_enforcer(
            store,
            EnforcerSpec(
                name=f"{name}-rules",
                kind="rules",
                policy=policy,
                params={"ruleset": f"rules/{name}.yaml"},
                thresholds={"remove": 0.9, "review": 0.5},
            ),  # fmt: skip
            workspace=ws,
            actor="t",
        )
    return store


def _sklearn(preds: list, truth_of: dict[str, bool]) -> dict[str, float]:
    y = np.array([truth_of[p.item_id] for p in preds])
    yhat = np.array([p.predicted for p in preds])
    s = np.array([p.score for p in preds])
    return {
        "precision": precision_score(y, yhat),
        "recall": recall_score(y, yhat),
        "f1": f1_score(y, yhat),
        "roc_auc": roc_auc_score(y, s),
    }


def test_each_policy_is_scored_only_by_its_enforcer_and_matches_sklearn(
    workspace: Settings, tmp_path: Path
) -> None:
    store = _workspace_set_up(workspace, tmp_path)
    sources = StoreEvalSources(store, workspace.workspace)
    _, test_rows = sources.golden("two@1", "test")
    gold = {e.item.id: e.gold for e in test_rows}
    policy_of = {e.item.id: (e.policy or "").split("@")[0] for e in test_rows}
    runs = {}
    for name in ("spam", "hate"):
        run = run_eval_from_sources(store, sources, f"{name}-rules", "two@1", actor="t",
                                    config=FAST)  # fmt: skip
        preds = load_predictions(store, run.id)
        # Only that policy's rows were scored; the other policy's never reached the enforcer.
        assert preds and {policy_of[p.item_id] for p in preds} == {name}
        assert len(preds) == sum(1 for p in policy_of.values() if p == name)
        expected = _sklearn(preds, gold)
        for metric, value in expected.items():
            assert run.figures.overall.metric(metric).value == pytest.approx(value)
        runs[name] = run
    both = run_eval_from_sources(store, sources, ["spam-rules", "hate-rules"], "two@1",
                                 actor="t", config=FAST)  # fmt: skip
    assert both.n_items == len(test_rows)
    assert {c.policy for c in both.components} == {"spam@1", "hate@1"}
    preds = load_predictions(store, both.id)
    for name in ("spam", "hate"):
        mine = [p for p in preds if policy_of[p.item_id] == name]
        single = {p.item_id: p for p in load_predictions(store, runs[name].id)}
        assert all(p.score == single[p.item_id].score for p in mine)
        expected = _sklearn(mine, gold)
        part = both.figures.by_policy[name]
        for metric, value in expected.items():
            assert part.overall.metric(metric).value == pytest.approx(value)
    y = np.array([gold[p.item_id] for p in preds])
    yhat = np.array([p.predicted for p in preds])
    assert both.figures.overall.metric("f1").value == pytest.approx(f1_score(y, yhat))
    pooled = both.figures.overall.metric("roc_auc")
    assert pooled.value is None and pooled.note and "enforcers pooled" in pooled.note
    with pytest.raises(ValidationError, match="several policies"):
        tune_run_thresholds(store, both.id, ThresholdTarget(metric="precision", value=0.5))
    plan = tune_run_thresholds(store, both.id, ThresholdTarget(metric="precision", value=0.5),
                               policy="hate")  # fmt: skip
    assert plan.overall.positives == sum(gold[i] for i, p in policy_of.items() if p == "hate")
    with pytest.raises(ConflictError, match="same policy"):
        compare_runs(store, runs["spam"].id, runs["hate"].id)
    store.close()


def test_an_enforcer_of_a_policy_the_version_lacks_is_an_error_listing_the_policies(
    workspace: Settings, tmp_path: Path
) -> None:
    store = _workspace_set_up(workspace, tmp_path)
    assert workspace.workspace is not None
    register_enforcer(
        store,
        EnforcerSpec(
            name="vio", kind="rules", policy="violence@1", params={"ruleset": "rules/hate.yaml"}
        ),  # fmt: skip
        workspace=workspace.workspace,
        actor="t",
    )
    sources = StoreEvalSources(store, workspace.workspace)
    with pytest.raises(
        ValidationError, match=r"no row of policy 'violence' \(it has: hate, spam\)"
    ):
        run_eval_from_sources(store, sources, "vio", "two@1", actor="t", config=FAST)
    store.close()


def test_items_changed_since_the_freeze_are_refused_or_left_out_and_stale_verdicts_not_reused(
    workspace: Settings, tmp_path: Path
) -> None:
    store = _workspace_set_up(workspace, tmp_path)
    sources = StoreEvalSources(store, workspace.workspace)
    _, rows = sources.golden("two@1", "test", policy="hate")
    target = rows[0].item
    save_items(store, [target.model_copy(update={"title": "edited"})], actor="t")
    with pytest.raises(ValidationError, match="changed or were deleted since the freeze"):
        run_eval_from_sources(store, sources, "hate-rules", "two@1", actor="t", config=FAST)
    run = run_eval_from_sources(store, sources, "hate-rules", "two@1", actor="t", config=FAST,
                                on_changed="skip")  # fmt: skip
    assert run.left_out_changed == (target.id,)
    assert target.id not in {p.item_id for p in load_predictions(store, run.id)}
    # A verdict stored before the item's content last changed is not reused.
    other = rows[1]
    ref, _ = sources.enforcer("hate-rules")
    from modgate.enforce import load_enforcer, score_items

    assert workspace.workspace is not None
    version, enforcer = load_enforcer(store, "hate-rules@1", workspace=workspace.workspace)
    score_items(store, version, enforcer, [other.item.id], actor="t")
    _, fresh = sources.golden("two@1", "test", policy="hate", on_changed="skip")
    assert other.item.id in sources.stored_verdicts(ref, fresh)
    later = [e.model_copy(update={"content_since": e.content_since.replace(year=2999)})
             for e in fresh if e.content_since is not None]  # fmt: skip
    assert other.item.id not in sources.stored_verdicts(ref, later)
    store.close()
