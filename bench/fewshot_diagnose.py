"""Why does a policy of `fewshot_bench.py` rank low? Evidence about its data, not a benchmark.

For each policy named on the command line (default: the Reddit name-calling norm), printed:
- its few-shot ROC-AUC (`hybrid`, the shipped transfer scorer: fitted on ToxiGen + Davidson
  only, so never on a Reddit policy) and the TF-IDF baseline's, under example draws 1–10:
  how much of a low figure is one unlucky draw of 12 examples;
- the Hanley–McNeil 95% interval of draw 1;
- a supervised ceiling: TF-IDF logistic regression trained on up to 3,000 + 3,000 labelled
  items of the same sets (never the evaluation items), scored on draw 1's evaluation items,
  with its most telling n-grams on each side: whether the labels follow the written rule or
  vocabulary;
- for a Reddit norm, how many of its comments also appear under each other norm.

Usage: .venv/bin/python bench/fewshot_diagnose.py [POLICY ...]   (about 15 CPU-s a policy)
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fewshot_bench as fb  # noqa: E402

from modgate.enforce.fewshot import get_backend, similarity_features  # noqa: E402
from modgate.enforce.fewshot._scorer import shipped_scorer  # noqa: E402

REDDIT = fb.DATA / "reddit-macro-norm-violations" / "reddit-macro-norm-violations.jsonl.gz"


def draws(task: fb.Task, n: int = 10) -> None:
    backend = get_backend("hybrid")
    scorer = shipped_scorer("hybrid")
    few, base = [], []
    for seed in range(1, n + 1):
        split = fb.split_task(task, 12, 300, seed)
        enc = fb.encode_task(backend, split)
        p = scorer.predict(similarity_features(enc.items, enc.prototypes["full"]), "full")
        few.append(fb.auc(split.eval_labels, p))
        base.append(fb.auc(split.eval_labels, fb.tfidf_baseline(split)[0]))
    print(f"  draws 1–{n}: few-shot {np.round(few, 3)} mean {np.mean(few):.3f}")
    print(f"  draws 1–{n}: TF-IDF   {np.round(base, 3)} mean {np.mean(base):.3f}")
    split = fb.split_task(task, 12, 300, 1)
    n_pos = int(split.eval_labels.sum())
    low, high = fb.hanley_mcneil(few[0], n_pos, len(split.eval_labels) - n_pos)
    print(f"  draw 1: {few[0]:.3f}, 95% interval {low:.3f}–{high:.3f}")
    print("  draw 1 violating examples:", [t[:60] for t in split.texts.violating])
    print("  draw 1 safe examples:     ", [t[:60] for t in split.texts.allowed])


def ceiling(task: fb.Task) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    split = fb.split_task(task, 12, 300, 1)
    held = set(split.eval_texts)
    pos = [t for t in task.violating if t not in held]
    neg = [t for t in task.safe if t not in held]
    random.Random(0).shuffle(pos)
    random.Random(0).shuffle(neg)
    pos, neg = pos[:3000], neg[:3000]
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit(pos + neg)
    model = LogisticRegression(C=4, max_iter=2000, class_weight="balanced")
    model.fit(vec.transform(pos + neg), [1] * len(pos) + [0] * len(neg))
    score = model.decision_function(vec.transform(split.eval_texts))
    print(
        f"  supervised ceiling ({len(pos)} + {len(neg)} labelled items): "
        f"{fb.auc(split.eval_labels, score):.3f} on draw 1's evaluation items"
    )
    names = vec.get_feature_names_out()
    order = np.argsort(model.coef_[0])
    print("  n-grams of the policy:    ", list(names[order[-12:]][::-1]))
    print("  n-grams of the negatives: ", list(names[order[:12]]))


def overlap(task: fb.Task) -> None:
    norm = task.name.split(":", 1)[1]
    texts: dict[str, set[str]] = defaultdict(set)
    for row in fb._rows(REDDIT):
        texts[row["policy"]].add(row["text"])
    mine = texts[norm]
    shared = {n: len(t & mine) for n, t in texts.items() if n != norm}
    print(f"  of its {len(mine)} comments, also under:", shared)


def main() -> int:
    names = sys.argv[1:] or ["reddit:namecalling_claiming_too_sensitive"]
    tasks = {t.name: t for t in fb.build_tasks(min_per_class=14)}
    for name in names:
        task = tasks[name]
        print(name)
        draws(task)
        ceiling(task)
        if task.dataset == "reddit":
            overlap(task)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
