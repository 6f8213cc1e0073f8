"""Attack success per perturbation family: rules, classifier, hardened classifier.

One run, one grouped train/test split, the same perturbed texts for every enforcer:

- Data: the `hate_speech` rows of ../shared/data with both labels (Davidson, ETHOS binary,
  ToxiGen seeds, Multitarget-CONAN, DIALOCONAN), read in place. Reddit removals are left out
  (positives only). No file has communities, so every item is `community=(none)`.
- Split: 80/20, StratifiedGroupKFold by source x label, CONAN pairs / dialogues / duplicate
  texts grouped (as in enforce_bench). The test half is subsampled (`--test-items`, stratified
  by label and source) to keep the attack affordable on a shared machine; by default (a quick
  run) 1,000 test items and a random 8,000 of the train rows (`--train-rows`),
  `MODGATE_BENCH_FULL=1` for 3,000 and every train row.
- Enforcers: `rules` = the demo rule set (src/modgate/cli/demo/data/rules/demo.yaml);
  `classifier` = the `fast` profile trained on the train half; `hardened` = the same profile
  trained on the train half plus one perturbed copy per row (weight 0.5, augmentation seed 101,
  the attack uses seed 7). Augmentation uses every non-LLM perturbation EXCEPT `padding`,
  `bidi_reversal` and `emoji_letters`, which are reported apart as "unseen" (tricks the
  hardening never saw), so the held-out family is not only measured on what it trained on.
- With and without normalization (the baselines of the normalization defence): `rules` with
  every rule switched to `match_on: raw`, and the classifier with its normalization step
  replaced by lower-casing at prediction time (a bench-only view of the fitted pipeline).
- Attack success = share of violating test items caught on clean text that the perturbation
  family got through (budget 1 attempt per perturbation), Wilson 95 % intervals.
- Clean F1: bootstrap 95 % percentile interval (2,000 resamples of the test items, seed 0);
  hardened passes when its F1 point estimate lies inside the classifier's interval.

Check (issue 22): hardened attack success < classifier's on both families, with clean F1
inside the classifier's interval. Printed as MET / MISSED, never hidden.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from modgate.domain import Item
from modgate.enforce import Enforcer, EnforcerSpec, TrainingRow
from modgate.enforce.classifier import ClassifierEnforcer, train_classifier
from modgate.enforce.rules import RulesEnforcer, compile_ruleset, load_ruleset
from modgate.evaluate import GoldenExample
from modgate.redteam import (
    attack_enforcer,
    augment_training_rows,
    compute_robustness,
    predict_checked,
    resolve_perturbations,
)
from modgate.registry import create_registry

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
FILES = {
    "davidson": "davidson-hate-offensive/davidson-hate-offensive.jsonl.gz",
    "ethos": "ethos/ethos-binary.jsonl.gz",
    "toxigen": "toxigen-prompt-seeds/toxigen-prompt-seeds.jsonl.gz",
    "mt-conan": "conan-counter-speech/multitarget-conan.jsonl.gz",
    "dialoconan": "conan-counter-speech/dialoconan.jsonl.gz",
}
RULES = ROOT / "src" / "modgate" / "cli" / "demo" / "data" / "rules" / "demo.yaml"
UNSEEN = ("padding", "bidi_reversal", "emoji_letters")
FULL = os.environ.get("MODGATE_BENCH_FULL") == "1"
"""`MODGATE_BENCH_FULL=1`: the issue-scale run; by default a quick one (`make bench` ≤ 10 min)."""
ATTACK_SEED, AUGMENT_SEED = 7, 101


def load() -> tuple[list[str], np.ndarray, list[str], list[str]]:
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    groups: list[str] = []
    seen: dict[str, str] = {}
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
                key = " ".join(row["text"].casefold().split())
                if key in seen:
                    group = "text:" + hashlib.sha1(key.encode()).hexdigest()
                seen.setdefault(key, group)
                texts.append(row["text"])
                labels.append(1 if row["label"] == "violating" else 0)
                sources.append(source)
                groups.append(seen[key])
    return texts, np.array(labels), sources, groups


class _NoNormalization:
    """A fitted TextClassifier's pipeline with its first (normalization) step skipped."""

    def __init__(self, model: Any) -> None:
        pipeline = model.pipeline_
        self._after = pipeline.named_steps["features"][1:]
        self._final = pipeline.named_steps["model"]

    def predict_proba(self, texts: list[str]) -> Any:
        return self._final.predict_proba(self._after.transform([t.lower() for t in texts]))


def _raw_rules() -> Any:
    compiled = load_ruleset(RULES)
    ruleset = compiled.ruleset
    raw = ruleset.model_copy(
        update={"rules": tuple(r.model_copy(update={"match_on": "raw"}) for r in ruleset.rules)}
    )
    return compile_ruleset(raw)


def f1_interval(y: np.ndarray, pred: np.ndarray, resamples: int = 2000) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    n = len(y)
    values = []
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        values.append(f1_score(y[idx], pred[idx], zero_division=0))
    lo, hi = np.quantile(values, [0.025, 0.975])
    return float(lo), float(hi)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-items", type=int, default=3000 if FULL else 1000)
    parser.add_argument(
        "--train-rows",
        type=int,
        default=0 if FULL else 8000,
        help="Random subsample of the train half (0: all of it, the issue-scale run).",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    texts, y, sources, groups = load()
    strata = [f"{s}:{label}" for s, label in zip(sources, y, strict=True)]
    splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=20261128)
    train_idx, test_idx = next(splitter.split(texts, strata, groups))
    rng = np.random.default_rng(22)
    if args.test_items < len(test_idx):
        # stratified subsample of the test half (same share of each source x label)
        by_stratum: dict[str, list[int]] = {}
        for i in test_idx:
            by_stratum.setdefault(strata[i], []).append(int(i))
        share = args.test_items / len(test_idx)
        picked: list[int] = []
        for members in by_stratum.values():
            k = max(1, round(len(members) * share))
            picked.extend(rng.choice(members, size=min(k, len(members)), replace=False).tolist())
        test_idx = np.array(sorted(picked))
    if 0 < args.train_rows < len(train_idx):
        train_idx = np.sort(rng.choice(train_idx, size=args.train_rows, replace=False))
    train_rows = [TrainingRow(text=texts[i], label=int(y[i])) for i in train_idx]
    examples = [
        GoldenExample(item=Item(id=f"t{i}", body=texts[i]), gold=bool(y[i])) for i in test_idx
    ]
    y_te = np.array([int(y[i]) for i in test_idx])
    counts = Counter(int(v) for v in y_te)
    print(
        f"data: {len(train_idx)} train rows, {len(test_idx)} test items "
        f"({counts[1]} violating, {counts[0]} non-violating); sources: {', '.join(FILES)}"
    )

    registry = create_registry()
    perturbations = resolve_perturbations(None, registry)
    augmenting = [p for p in perturbations if p.spec.name not in UNSEEN]
    n_norm = sum(p.family == "normalized" for p in perturbations)
    print(
        f"perturbations: {len(perturbations)} ({n_norm} normalized, "
        f"{len(perturbations) - n_norm} held_out); "
        f"augmentation uses {len(augmenting)}, unseen by it: {', '.join(UNSEEN)}"
    )

    t0 = time.perf_counter()
    clf_model = train_classifier(train_rows, profile="fast").model
    fit_clean = time.perf_counter() - t0
    augmented = augment_training_rows(
        train_rows, augmenting, copies=1, weight=0.5, seed=AUGMENT_SEED
    )
    t0 = time.perf_counter()
    hard_model = train_classifier(augmented, profile="fast").model
    fit_hard = time.perf_counter() - t0
    print(
        f"training: classifier {len(train_rows)} rows in {fit_clean:.1f}s; hardened "
        f"{len(augmented)} rows ({len(augmented) - len(train_rows)} perturbed copies) "
        f"in {fit_hard:.1f}s"
    )

    def spec(name: str, kind: str) -> EnforcerSpec:
        return EnforcerSpec(name=name, kind=kind, policy="hate_speech@1", version=1)

    rules = load_ruleset(RULES)
    enforcers: dict[str, Enforcer] = {
        "rules": RulesEnforcer(spec("rules", "rules"), rules),
        "rules (raw, no normalization)": RulesEnforcer(spec("rules-raw", "rules"), _raw_rules()),
        "classifier": ClassifierEnforcer(spec("clf", "classifier"), clf_model),
        "classifier (no normalization)": ClassifierEnforcer(
            spec("clf-raw", "classifier"), _NoNormalization(clf_model)
        ),
        "hardened": ClassifierEnforcer(spec("clf-hard", "classifier"), hard_model),
    }
    results: dict[str, dict[str, Any]] = {}
    for name, enforcer in enforcers.items():
        t0 = time.perf_counter()
        clean = predict_checked(enforcer, [e.item for e in examples], 2000)
        pred = np.array([v.label == "violating" for v in clean], dtype=int)
        outcomes = attack_enforcer(
            enforcer, examples, perturbations, clean=clean, budget=1, seed=ATTACK_SEED
        )
        figures = compute_robustness(outcomes)
        unseen = [o for o in outcomes if o.perturbation.split("(", 1)[0] in UNSEEN]
        unseen_fig = compute_robustness(unseen).attack_success_rate("all")
        row: dict[str, Any] = {
            "f1": float(f1_score(y_te, pred, zero_division=0)),
            "f1_ci": f1_interval(y_te, pred),
            "caught": int(pred[y_te == 1].sum()),
            "seconds": time.perf_counter() - t0,
        }
        for family in ("all", "normalized", "held_out"):
            row[f"asr:{family}"] = figures.attack_success_rate(family)
            row[f"nfp:{family}"] = figures.new_false_positive_rate(family)
        row["asr:unseen"] = unseen_fig
        row["per_perturbation"] = {
            f.scope.removeprefix("perturbation="): f
            for f in figures.attack_success
            if f.scope.startswith("perturbation=")
        }
        row["nfp_per_perturbation"] = {
            f.scope.removeprefix("perturbation="): f
            for f in figures.new_false_positives
            if f.scope.startswith("perturbation=")
        }
        results[name] = row

    def cell(f: Any) -> str:
        return (
            "n/a"
            if f is None or f.value is None
            else f"{f.value:.3f} [{f.lower:.3f},{f.upper:.3f}]"
        )

    print(
        f"\n{'enforcer':<31} {'F1 clean [95% CI]':<22} {'caught':>6}  "
        f"{'ASR normalized':<22} {'ASR held_out':<22} {'ASR unseen':<22} {'new FP held_out':<22}"
    )
    for name, r in results.items():
        lo, hi = r["f1_ci"]
        print(
            f"{name:<31} {r['f1']:.3f} [{lo:.3f},{hi:.3f}]  {r['caught']:>6}  "
            f"{cell(r['asr:normalized']):<22} {cell(r['asr:held_out']):<22} "
            f"{cell(r['asr:unseen']):<22} {cell(r['nfp:held_out']):<22}"
        )
    for key, title in (
        ("per_perturbation", "attack success"),
        ("nfp_per_perturbation", "new false positives"),
    ):
        print(f"\n{title} per perturbation (classifier → hardened; rules):")
        for p in perturbations:
            c = results["classifier"][key].get(p.spec.label)
            h = results["hardened"][key].get(p.spec.label)
            ru = results["rules"][key].get(p.spec.label)
            mark = " (unseen by augmentation)" if p.spec.name in UNSEEN else ""
            print(
                f"  {p.family:<10} {p.spec.name:<17} {cell(c):<22} → {cell(h):<22}; "
                f"rules {cell(ru)}{mark}"
            )

    clf, hard = results["classifier"], results["hardened"]
    base_norm = clf["asr:normalized"].value or 0.0
    base_held = clf["asr:held_out"].value or 0.0
    hard_norm = hard["asr:normalized"].value or 0.0
    hard_held = hard["asr:held_out"].value or 0.0

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b else "n/a (baseline 0)"

    print(
        "\nratios vs the unhardened classifier (same run): ASR normalized "
        f"{ratio(hard_norm, base_norm)}, held_out {ratio(hard_held, base_held)}"
    )
    lo, hi = clf["f1_ci"]
    checks = [
        (
            "hardened ASR < classifier ASR on the normalized family",
            hard_norm < base_norm,
        ),
        (
            "hardened ASR < classifier ASR on the held_out family",
            hard_held < base_held,
        ),
        (
            "hardened clean F1 inside the classifier's 95% interval",
            lo <= hard["f1"] <= hi,
        ),
    ]
    print()
    for text, ok in checks:
        print(f"{'MET   ' if ok else 'MISSED'} {text}")
    if base_norm == 0.0:
        print(
            "       (the unhardened classifier's normalized-family rate is already 0: "
            "normalization undoes that family, so no configuration can be lower)"
        )
    print(f"total {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
