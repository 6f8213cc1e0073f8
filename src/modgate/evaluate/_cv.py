"""`eval cv`: K grouped, stratified folds of a frozen version's train+dev rows, per-fold runs.

Each fold trains the classifier spec on the other folds' rows (plus, optionally, the policy's
own examples) and scores the held-out fold; the fold's predictions are stored as an eval run
(split `cv<K>s<SEED>:fold<i>`), so every per-fold figure can be recomputed from stored
predictions, and two specs' fold runs pair item by item (`compare_runs`). Groups (thread,
source, near-duplicate clusters: the version's split groups) never straddle folds
(`sklearn.model_selection.StratifiedGroupKFold`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Item, Verdict
from modgate.enforce import EnforcerSpec, TrainingRow, action_for_score
from modgate.errors import EnforcerError, ValidationError
from modgate.evaluate._figures import FigureConfig
from modgate.evaluate._repo import EvalRun
from modgate.evaluate._run import EnforcerRef, GoldenExample, GoldenRef, compare_runs, run_eval
from modgate.evaluate._training import policy_example_rows
from modgate.golden import get_golden_version, golden_version_rows
from modgate.store import Store

CV_METRICS = ("precision", "recall", "f1", "fpr", "auprc", "roc_auc")
"""Figures summarized over folds."""


class FoldResult(BaseModel):
    """One fold of one spec: its stored run and headline figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fold: int
    """Fold number, from 1."""
    run_id: str
    """The stored eval run of the held-out fold."""
    n_train: int
    """Rows fitted on."""
    n_test: int
    """Held-out rows scored."""
    figures: dict[str, float | None]
    """Headline figures of the held-out fold (None: undefined there)."""
    warnings: tuple[str, ...] = ()
    """Training warnings of the fold (e.g. calibration skipped)."""


class MeanSd(BaseModel):
    """Mean and sample standard deviation over folds (folds where the figure is defined)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mean: float | None
    """Mean."""
    sd: float | None
    """Sample standard deviation (None with fewer than two folds)."""
    folds: int
    """Folds the figure is defined on."""


class CvReport(BaseModel):
    """`eval cv` result: per-fold figures and their summary, optionally paired with a spec."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    golden: str
    """`NAME@VERSION`."""
    policy: str
    """Policy whose rows were used."""
    folds: int
    """K."""
    seed: int
    """Fold seed."""
    split: str
    """Split name the fold runs are stored under (`cv<K>s<SEED>:fold<i>`)."""
    spec: str
    """Spec name."""
    results: tuple[FoldResult, ...]
    """Per fold."""
    summary: dict[str, MeanSd]
    """Mean ± sd per figure."""
    against: str | None = None
    """Second spec, when compared."""
    against_results: tuple[FoldResult, ...] = ()
    """Its folds."""
    deltas: dict[str, MeanSd] = Field(default_factory=dict)
    """Paired per-fold deltas (against − spec): mean ± sd."""
    delta_per_fold: tuple[dict[str, float | None], ...] = ()
    """The paired deltas of each fold."""


def _mean_sd(values: Sequence[float | None]) -> MeanSd:
    kept = np.array([v for v in values if v is not None], dtype=float)
    if kept.size == 0:
        return MeanSd(mean=None, sd=None, folds=0)
    return MeanSd(
        mean=float(kept.mean()),
        sd=float(kept.std(ddof=1)) if kept.size > 1 else None,
        folds=int(kept.size),
    )


def cv_fold_ids(
    labels: Sequence[bool], groups: Sequence[str], folds: int, seed: int
) -> list[np.ndarray]:
    """Held-out positions of each fold: grouped (a group in one fold) and stratified by label.

    Raises:
        ValidationError: Fewer groups than folds, or a class with fewer groups than folds.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    y = np.asarray(labels, dtype=int)
    g = np.asarray(groups)
    for value, name in ((1, "violating"), (0, "non_violating")):
        present = len(set(g[y == value].tolist()))
        if present < folds:
            raise ValidationError(
                f"{folds} folds need at least {folds} groups of {name} rows, found {present}"
            )
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(y)), y, g)]


def _spec_hash(spec: EnforcerSpec, data_hash: str) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode())
    digest.update(data_hash.encode())
    return digest.hexdigest()


def _run_spec(
    store: Store,
    spec: EnforcerSpec,
    rows: Sequence[TrainingRow],
    examples: Sequence[GoldenExample],
    fold_index: Sequence[np.ndarray],
    golden: GoldenRef,
    extra: Sequence[TrainingRow],
    *,
    actor: str,
    config: FigureConfig,
) -> list[FoldResult]:
    from modgate.enforce.classifier import ClassifierParams, train_classifier

    if spec.kind != "classifier":
        raise EnforcerError(f"{spec.name}: eval cv trains classifier specs, not {spec.kind!r}")
    params = ClassifierParams.model_validate(spec.params)
    results = []
    for number, held in enumerate(fold_index, start=1):
        held_set = set(held.tolist())
        fit_rows = [r for i, r in enumerate(rows) if i not in held_set] + list(extra)
        trained = train_classifier(
            fit_rows, profile=params.profile, dev_rows=(), **params.training_params()
        )
        test = [examples[i] for i in held.tolist()]
        scores = trained.model.predict_proba([e.item.body for e in test])[:, 1]
        verdicts = {
            e.item.id: Verdict(
                item_id=e.item.id,
                policy=spec.policy,
                enforcer=f"{spec.name}@cv",
                score=float(np.clip(s, 0.0, 1.0)),
                label="violating" if s >= params.decision_threshold else "non_violating",
                action=action_for_score(float(s), spec.thresholds, e.item.community),
            )  # fmt: skip
            for e, s in zip(test, scores, strict=True)
        }
        ref = EnforcerRef(name=spec.name, version=0, policy=spec.policy,
                          version_hash=_spec_hash(spec, trained.data_hash))  # fmt: skip
        fold_golden = golden.model_copy(update={"split": f"{golden.split}:fold{number}"})
        run: EvalRun = run_eval(
            store, enforcer=ref, golden=fold_golden, examples=test, actor=actor,
            stored_verdicts=verdicts, config=config, guess_language=False,
        )  # fmt: skip
        results.append(
            FoldResult(
                fold=number,
                run_id=run.id,
                n_train=len(fit_rows),
                n_test=len(test),
                figures={m: run.figures.overall.metric(m).value for m in CV_METRICS},
                warnings=trained.warnings,
            )  # fmt: skip
        )
    return results


def cross_validate(
    store: Store,
    spec: EnforcerSpec,
    golden_ref: str,
    *,
    folds: int = 5,
    seed: int = 0,
    against: EnforcerSpec | None = None,
    policy_examples: bool = False,
    actor: str,
    config: FigureConfig | None = None,
) -> CvReport:
    """Cross-validate a classifier spec (and optionally a second one) on a frozen version.

    Args:
        store: The store (fold runs are stored in it).
        spec: The classifier spec.
        golden_ref: `NAME@VERSION`; its train and dev rows of the spec's policy are folded.
        folds: K (at least 2).
        seed: Seed of the fold assignment.
        against: A second spec, trained and scored on the very same folds (paired).
        policy_examples: Also fit every fold on the published policy's examples.
        actor: Who runs it (audit).
        config: Figure settings of the fold runs.

    Raises:
        ValidationError: K < 2, labels other than violating / non_violating, no row of the
            policy, too few groups per class, or specs of different policies.
        EnforcerError: A spec is not a classifier, or cannot be trained on a fold.
    """
    if folds < 2:
        raise ValidationError(f"--folds must be at least 2, got {folds}")
    if against is not None and against.policy.split("@")[0] != spec.policy.split("@")[0]:
        raise ValidationError(
            f"{spec.name} enforces {spec.policy} and {against.name} {against.policy}: a paired "
            "cross-validation needs specs of one policy"
        )
    version = get_golden_version(store, golden_ref)
    wanted = spec.policy.split("@", 1)[0]
    every = [*golden_version_rows(store, version.ref, "train"),
             *golden_version_rows(store, version.ref, "dev")]  # fmt: skip
    chosen = [r for r in every if r.policy.split("@", 1)[0] == wanted]
    if not chosen:
        present = ", ".join(sorted({r.policy.split("@", 1)[0] for r in every})) or "none"
        raise ValidationError(
            f"golden version {version.ref} has no train/dev row of policy {wanted!r} "
            f"(it has: {present})"
        )
    bad = sorted({r.label for r in chosen} - {"violating", "non_violating"})
    if bad:
        raise ValidationError(f"golden version {version.ref} has labels {bad}; cv needs binary")
    chosen.sort(key=lambda r: r.item_id)
    labels = [r.label == "violating" for r in chosen]
    fold_index = cv_fold_ids(labels, [r.group for r in chosen], folds, seed)
    rows = [TrainingRow(text=r.text, label=int(v), weight=max(r.weight, 1e-3))
            for r, v in zip(chosen, labels, strict=True)]  # fmt: skip
    # The frozen text is what was labelled and what training reads; the held-out fold is
    # scored on that same text.
    examples = [
        GoldenExample(
            item=Item(id=r.item_id, body=r.text, community=r.community),
            gold=v,
            gold_criteria=r.criteria,
            allowed_context=r.allowed,
            tags=r.tags,
            agreement=r.weight,
            raters=r.raters,
            policy=r.policy,
        )  # fmt: skip
        for r, v in zip(chosen, labels, strict=True)
    ]
    split = f"cv{folds}s{seed}"
    golden = GoldenRef(name=version.set_name, version=version.version,
                       content_hash=version.content_hash, split=split)  # fmt: skip
    cfg = config or FigureConfig()
    extra = policy_example_rows(store, spec.policy) if policy_examples else []
    results = _run_spec(store, spec, rows, examples, fold_index, golden, extra,
                        actor=actor, config=cfg)  # fmt: skip
    summary = {m: _mean_sd([r.figures[m] for r in results]) for m in CV_METRICS}
    report = CvReport(
        golden=version.ref, policy=spec.policy, folds=folds, seed=seed, split=split,
        spec=spec.name, results=tuple(results), summary=summary,
    )  # fmt: skip
    if against is None:
        return report
    extra_b = policy_example_rows(store, against.policy) if policy_examples else []
    other = _run_spec(store, against, rows, examples, fold_index, golden, extra_b,
                      actor=actor, config=cfg)  # fmt: skip
    per_fold: list[dict[str, float | None]] = []
    for a, b in zip(results, other, strict=True):
        comparison = compare_runs(store, a.run_id, b.run_id, config=cfg, flip_limit=0)
        per_fold.append({m: comparison.delta(m).delta for m in CV_METRICS})
    deltas = {m: _mean_sd([d[m] for d in per_fold]) for m in CV_METRICS}
    return report.model_copy(
        update={
            "against": against.name,
            "against_results": tuple(other),
            "deltas": deltas,
            "delta_per_fold": tuple(per_fold),
        }  # fmt: skip
    )


__all__ = ["CV_METRICS", "CvReport", "FoldResult", "MeanSd", "cross_validate", "cv_fold_ids"]
