"""Local classifier profiles vs alt-profanity-check and a TF-IDF + logistic regression baseline.

One run, one train/test split, the same texts for every model:

- Data: the `hate_speech` rows of ../shared/data that carry both labels (Davidson, ETHOS binary,
  ToxiGen seeds, Multitarget-CONAN, DIALOCONAN). The Reddit macro-norm removals are left out: they
  are all violating and lower-cased by their authors, so pairing them with negatives from other
  sources would teach "which dataset" rather than "which policy".
- Split: 80/20, stratified by source x label and grouped (StratifiedGroupKFold) so that a CONAN
  hate/counter-speech pair, a DIALOCONAN dialogue and exact duplicate texts never straddle the
  split (quick run, the default: every model fits the same random 12,000 of the train rows;
  `MODGATE_BENCH_FULL=1` fits all of them, `MODGATE_ENFORCE_BENCH_TRAIN_ROWS=N` sets N). Every
  source is in both halves in the same proportion; AUPRC is printed overall and per
  source, so a model that learns the source instead of the policy shows up.
- Throughput: `predict_proba` on the test texts, raw text in, normalization included, best of 5
  rounds that interleave the models, one process. All times are CPU time of this process
  (`time.process_time`), so that waiting for a core on the shared machine is not counted.
  alt-profanity-check is a public TF-IDF + calibrated linear SVM model.
- AUPRC: average precision of P(violation) on the test split; our profiles and the baseline are
  trained in this run on the same train split. alt-profanity-check is a pre-trained *profanity*
  model, not a hate-speech model: its AUPRC is shown for reference only.

Training: each profile's fit time beside the baseline's on the same rows, split into the
feature step, one logistic regression and the calibration's cross-validation folds, with what
the calibration buys on the test split (Brier score and expected calibration error of the same
model uncalibrated vs calibrated).

Targets (issue 16): fast >= 1.0x alt-profanity-check throughput; accurate >= 0.3x; both
profiles at least the baseline's AUPRC; accurate's fit within 3x the baseline's (or the
breakdown says what the extra time buys).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline

from modgate.enforce import TrainingRow
from modgate.enforce.classifier import TextClassifier, train_classifier
from modgate.text import normalize_text

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
FULL = os.environ.get("MODGATE_BENCH_FULL") == "1"
"""`MODGATE_BENCH_FULL=1`: the issue-scale run; by default a quick one (`make bench` ≤ 10 min)."""
TRAIN_ROWS = int(os.environ.get("MODGATE_ENFORCE_BENCH_TRAIN_ROWS", "0" if FULL else "12000"))
"""Train rows every model fits (a random subsample of the train split; 0: all of it)."""
FILES = {
    "davidson": "davidson-hate-offensive/davidson-hate-offensive.jsonl.gz",
    "ethos": "ethos/ethos-binary.jsonl.gz",
    "toxigen": "toxigen-prompt-seeds/toxigen-prompt-seeds.jsonl.gz",
    "mt-conan": "conan-counter-speech/multitarget-conan.jsonl.gz",
    "dialoconan": "conan-counter-speech/dialoconan.jsonl.gz",
}


def load() -> tuple[list[str], np.ndarray, list[str], list[str]]:
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    groups: list[str] = []
    for source, rel in FILES.items():
        with gzip.open(DATA / rel, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                meta = row.get("meta") or {}
                if source == "mt-conan":
                    group = f"{source}:pair:{meta.get('pair_index')}"
                elif source == "dialoconan":
                    group = f"{source}:dialogue:{meta.get('dialogue_id')}"
                else:
                    group = f"{source}:{row['id']}"
                # exact duplicates (after trivial folding) share a group across sources too
                key = " ".join(row["text"].casefold().split())
                group = "text:" + hashlib.sha1(key.encode()).hexdigest() if key in _seen else group
                _seen.setdefault(key, group)
                texts.append(row["text"])
                labels.append(1 if row["label"] == "violating" else 0)
                sources.append(source)
                groups.append(_seen[key])
    return texts, np.array(labels), sources, groups


_seen: dict[str, str] = {}


def throughputs(
    models: dict[str, Callable[[Sequence[str]], Any]], texts: Sequence[str], rounds: int = 5
) -> dict[str, float]:
    """Texts/s of each model, best of `rounds`; rounds interleave the models so that a load
    change on this shared machine hits every model alike rather than whichever ran then."""
    best = dict.fromkeys(models, float("inf"))
    for predict in models.values():
        predict(texts[:200])  # warm-up
    for _ in range(rounds):
        for name, predict in models.items():
            start = time.process_time()
            predict(texts)
            best[name] = min(best[name], time.process_time() - start)
    return {name: len(texts) / seconds for name, seconds in best.items()}


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Share-weighted mean |observed rate - mean score| over equal-width score bins."""
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(float(y[mask].mean()) - float(p[mask].mean()))
    return total


def training_breakdown(
    model: TextClassifier,
    tr_texts: list[str],
    y_tr: np.ndarray,
    te_texts: list[str],
    y_te: np.ndarray,
) -> tuple[dict[str, float], dict[str, float]]:
    """Where a profile's fit time goes, and what its calibration buys.

    Re-runs the feature step and one logistic regression (the model without calibration) on
    the same rows; the rest of the fit is the calibration's cross-validation folds.
    """
    from sklearn.base import clone
    from sklearn.metrics import brier_score_loss

    pipeline = model.pipeline_
    start = time.process_time()
    features = clone(pipeline.named_steps["features"])
    x_tr = features.fit_transform(tr_texts)
    feature_s = time.process_time() - start
    calibrated = pipeline.named_steps["model"]
    start = time.process_time()
    raw = clone(calibrated.estimator).fit(x_tr, y_tr)
    one_fit_s = time.process_time() - start
    x_te = features.transform(te_texts)
    p_raw = raw.predict_proba(x_te)[:, 1]
    p_cal = calibrated.predict_proba(pipeline.named_steps["features"].transform(te_texts))[:, 1]
    return {"features": feature_s, "one_fit": one_fit_s}, {
        "brier_raw": float(brier_score_loss(y_te, p_raw)),
        "brier_cal": float(brier_score_loss(y_te, p_cal)),
        "ece_raw": expected_calibration_error(y_te, p_raw),
        "ece_cal": expected_calibration_error(y_te, p_cal),
    }


def main() -> int:
    texts, y, sources, groups = load()
    strata = [f"{s}:{label}" for s, label in zip(sources, y, strict=True)]
    splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=20261128)
    train_idx, test_idx = next(splitter.split(texts, strata, groups))
    if 0 < TRAIN_ROWS < len(train_idx):  # quick run: every model fits the same random subsample
        picked = np.random.default_rng(16).choice(train_idx, size=TRAIN_ROWS, replace=False)
        train_idx = np.sort(picked)
    tr_texts = [texts[i] for i in train_idx]
    te_texts = [texts[i] for i in test_idx]
    y_tr, y_te = y[train_idx], y[test_idx]
    te_sources = np.array([sources[i] for i in test_idx])

    print("data (hate_speech; violating / non_violating; negatives come from each source itself)")
    counts = Counter((sources[i], int(y[i])) for i in range(len(texts)))
    for source in FILES:
        print(
            f"  {source:<11} violating {counts[(source, 1)]:>6}  non_violating "
            f"{counts[(source, 0)]:>6}"
        )
    print(f"  train {len(train_idx)} rows, test {len(test_idx)} rows (grouped, stratified)")
    print("  negatives: Davidson offensive/neither tweets, ETHOS non-hate comments, ToxiGen")
    print("  neutral seeds, CONAN counter-speech; Reddit removals excluded (positives only)")

    rows = [TrainingRow(text=t, label=int(label)) for t, label in zip(tr_texts, y_tr, strict=True)]
    models: dict[str, Callable[[Sequence[str]], Any]] = {}
    trained_models: dict[str, TextClassifier] = {}
    fit_seconds: dict[str, float] = {}
    for profile in ("fast", "accurate"):
        start = time.process_time()
        trained = train_classifier(rows, profile=profile)  # type: ignore[arg-type]
        fit_seconds[profile] = time.process_time() - start
        model = trained.model
        trained_models[profile] = model
        models[profile] = lambda xs, m=model: m.predict_proba(xs)[:, 1]
    start = time.process_time()
    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000))
    baseline.fit(tr_texts, y_tr)
    fit_seconds["tfidf+logreg"] = time.process_time() - start
    models["tfidf+logreg"] = lambda xs: baseline.predict_proba(xs)[:, 1]
    try:
        from profanity_check import profanity_check as apc
    except ImportError:
        print("alt-profanity-check is not installed: pip install -c constraints.txt -e '.[dev]'")
        return 1
    models["alt-profanity-check"] = lambda xs: apc.predict_prob(list(xs))

    # Where the time goes: the shared normalization alone, and each profile on text that is
    # already normalized (throughput only; not part of the targets).
    normalize_only = {"normalize_text alone": lambda xs: [normalize_text(x).text for x in xs]}
    parts: dict[str, Callable[[Sequence[str]], Any]] = {}
    normalized = [normalize_text(x).text for x in te_texts]
    for profile in ("fast", "accurate"):
        pipeline = trained_models[profile].pipeline_
        after = pipeline.named_steps["features"][1:]
        final = pipeline.named_steps["model"]
        parts[f"{profile} w/o normalization"] = lambda xs, a=after, f=final: f.predict_proba(
            a.transform(xs)
        )[:, 1]

    speeds = throughputs({**models, **normalize_only}, te_texts)
    part_speeds = throughputs(parts, normalized)
    results: dict[str, dict[str, float]] = {}
    for name, predict in models.items():
        scores = np.asarray(predict(te_texts), dtype=float)
        per_source = {
            s: float(average_precision_score(y_te[te_sources == s], scores[te_sources == s]))
            for s in FILES
        }
        results[name] = {
            "texts_per_s": speeds[name],
            "auprc": float(average_precision_score(y_te, scores)),
            **{f"auprc:{s}": v for s, v in per_source.items()},
        }

    fit_ratio: dict[str, float] = {}
    ref = results["alt-profanity-check"]["texts_per_s"]
    base_ap = results["tfidf+logreg"]["auprc"]
    print(
        f"\n{'model':<20} {'texts/s':>10} {'x apc':>7} {'AUPRC':>7} {'fit s':>7}  per-source AUPRC"
    )
    for name, r in results.items():
        per = " ".join(f"{s}={r['auprc:' + s]:.3f}" for s in FILES)
        fit = f"{fit_seconds[name]:.1f}" if name in fit_seconds else "-"
        print(
            f"{name:<20} {r['texts_per_s']:>10,.0f} {r['texts_per_s'] / ref:>7.2f} "
            f"{r['auprc']:>7.3f} {fit:>7}  {per}"
        )
    print("\ntraining (CPU s, same train rows):")
    base_fit = fit_seconds["tfidf+logreg"]
    for profile in ("fast", "accurate"):
        parts_s, calibration = training_breakdown(
            trained_models[profile], tr_texts, y_tr, te_texts, y_te
        )
        total = fit_seconds[profile]
        folds = total - parts_s["features"] - parts_s["one_fit"]
        print(
            f"  {profile:<9} {total:6.1f} s = x{total / base_fit:.1f} the baseline's"
            f" {base_fit:.1f} s:"
            f" features {parts_s['features']:.1f} s + one logistic regression"
            f" {parts_s['one_fit']:.1f} s + {trained_models[profile].cv} calibration folds"
            f" ~{folds:.1f} s"
        )
        print(
            f"  {'':<9} what the folds buy on the test split (uncalibrated -> calibrated): Brier"
            f" {calibration['brier_raw']:.4f} -> {calibration['brier_cal']:.4f}, expected"
            f" calibration error {calibration['ece_raw']:.3f} -> {calibration['ece_cal']:.3f}"
        )
        fit_ratio[profile] = fit_seconds[profile] / base_fit
    print("\nwhere the time goes (throughput only):")
    print(f"  {'normalize_text alone':<26} {speeds['normalize_text alone']:>10,.0f} texts/s")
    for name in parts:
        print(f"  {name:<26} {part_speeds[name]:>10,.0f} texts/s (on pre-normalized text)")
    checks = [
        (
            "fast throughput >= 1.0x alt-profanity-check",
            results["fast"]["texts_per_s"] / ref >= 1.0,
        ),
        (
            "accurate throughput >= 0.3x alt-profanity-check",
            results["accurate"]["texts_per_s"] / ref >= 0.3,
        ),
        ("accurate fit time <= 3x the baseline's", fit_ratio["accurate"] <= 3.0),
        ("fast AUPRC >= baseline", results["fast"]["auprc"] >= base_ap),
        ("accurate AUPRC >= baseline", results["accurate"]["auprc"] >= base_ap),
    ]
    print()
    for label, ok in checks:
        print(f"{'MET   ' if ok else 'MISSED'} {label}")
    print(json.dumps({"results": results}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
