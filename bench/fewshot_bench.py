"""Benchmark the few-shot enforcer kind (issue 23): leave-one-policy-out on real data.

Policies are built from the labelled sets of `../shared/data` (read their READMEs): one per
target group of ToxiGen's seeds (implicit hate vs neutral statements about the same group),
per hate category of ETHOS (negatives: ETHOS's non-hateful comments), per target of
Multitarget-CONAN (hate speech vs the counter-speech answering it), per macro norm of the
Reddit removals (negatives: comments removed under the *other* norms, same source, so no
"which dataset" shortcut), and Davidson's hate vs merely offensive/neither. Each policy gets a
definition and criteria written here (from the dataset's own description) and `--examples`
items sampled as its few-shot examples (half violating, half safe); every other item (up to
`--max-eval` per policy, stratified) is the evaluation set. No policy's evaluation items are
ever its examples.

For each held-out policy the transfer scorer is fitted on the OTHER policies only (their
items' similarity features against their own examples), then scores the held-out policy from
its definition, criteria and examples alone. Printed per held-out policy, in the same run:
ROC-AUC of the few-shot kind (transfer scorer), of its raw nearest-example margin, and of the
baseline — TF-IDF (word 1–2-grams, fitted on that policy's texts) nearest-example margin — plus
the Brier score and expected calibration error of the few-shot probabilities. Means follow,
with a stricter leave-one-DATASET-out mean. Throughput: items per CPU-second (process time,
so "per core") of encoding + features + scoring, against the TF-IDF baseline's.

`--fit-scorers` refits the scorers shipped in `src/modgate/enforce/fewshot/scorers/` on the
MIT-licensed sets only (ToxiGen seeds, Davidson), every policy in three shapes (with safe
examples, violating examples only, criteria only) so the scorer has seen each shape.

A policy's figure rests on ONE random draw of its few-shot examples unless `--draws N`
(FEWSHOT_BENCH_DRAWS): each policy is then evaluated under N independent draws (seeds `--seed`
… `--seed`+N−1) and its AUC is their mean; the held-out policy's draws are all kept out of its
scorer's training. Each AUC carries a Hanley–McNeil 95% interval (one draw's items), and a
policy ranks backwards only when the whole interval is below 0.5.

Usage: .venv/bin/python bench/fewshot_bench.py [--backends hybrid,wordllama,hashed,minilm]
       (default: the default backend, `hybrid`; FEWSHOT_BENCH_BACKENDS sets the list too)
       FEWSHOT_BENCH_FULL=1 for every item (default: ≤ 300 evaluation items per policy).
       minilm: set OMP_NUM_THREADS=1 so CPU seconds are not inflated by spinning threads.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from modgate.enforce.fewshot import (  # noqa: E402
    FEATURES,
    SHAPES,
    PolicyTexts,
    Prototypes,
    fit_transfer_scorer,
    get_backend,
    nearest_margin,
    similarity_features,
)

DATA = ROOT.parent / "shared" / "data"
TARGET_ITEMS_PER_CORE = 500.0
SHIPPED = ROOT / "src" / "modgate" / "enforce" / "fewshot" / "scorers"
MIT_SETS = ("toxigen", "davidson")


@dataclass
class Task:
    """One policy built from a data set."""

    name: str
    dataset: str
    definition: str
    criteria: list[str]
    contexts: list[str]
    violating: list[str]
    safe: list[str]


def _rows(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _toxigen() -> list[Task]:
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(DATA / "toxigen-prompt-seeds" / "toxigen-prompt-seeds.jsonl.gz"):
        groups[r["meta"]["target_group"]][r["label"]].append(r["text"])
    tasks = []
    for group, by in sorted(groups.items()):
        who = group.replace("_", " ")
        tasks.append(
            Task(
                f"toxigen:{group}",
                "toxigen",
                f"Implicitly hateful statements about {who} people: stereotypes, dehumanising "
                "generalisations or claims of inferiority, even without slurs or profanity.",
                [
                    f"Stereotype: attributes a negative trait to all {who} people",
                    f"Inferiority: says {who} people are lesser, dangerous or unwelcome",
                ],
                [
                    f"Neutral or supportive: a factual, neutral or supportive statement "
                    f"about {who} people"
                ],
                by["violating"],
                by["non_violating"],
            )
        )
    return tasks


ETHOS_CATEGORIES = {
    "violence": "threatens or calls for violence against people",
    "gender": "attacks people for their gender",
    "race": "attacks people for their race or skin colour",
    "national_origin": "attacks people for their nationality or origin",
    "disability": "attacks people for a disability",
    "religion": "attacks people for their religion",
    "sexual_orientation": "attacks people for their sexual orientation",
}


def _ethos() -> list[Task]:
    safe = [
        r["text"]
        for r in _rows(DATA / "ethos" / "ethos-binary.jsonl.gz")
        if r["label"] == "non_violating"
    ]
    multi = list(_rows(DATA / "ethos" / "ethos-multilabel.jsonl.gz"))
    return [
        Task(
            f"ethos:{cat}",
            "ethos",
            f"Hateful comments that {what}.",
            [f"{cat.replace('_', ' ').title()}: a comment that {what}"],
            ["Discussion: comments that discuss a topic without attacking people"],
            [r["text"] for r in multi if cat in r["label"]],
            safe,
        )
        for cat, what in ETHOS_CATEGORIES.items()
    ]


def _conan() -> list[Task]:
    by: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(DATA / "conan-counter-speech" / "multitarget-conan.jsonl.gz"):
        by[r["meta"]["target"]][r["label"]].append(r["text"])
    tasks = []
    for target, rows in sorted(by.items()):
        who = "other minorities" if target == "other" else target.lower()
        tasks.append(
            Task(
                f"conan:{target.lower()}",
                "conan",
                f"Hate speech against {who}: hostile generalisations, dehumanisation or calls to "
                "exclude them.",
                [f"Hostile generalisation about {who}", f"Calls to exclude or harm {who}"],
                [
                    f"Counter-speech: rebuts or questions a hateful claim about {who}, "
                    "even when it "
                    "restates the claim"
                ],
                rows["violating"],
                rows["non_violating"],
            )
        )
    return tasks


REDDIT_NORMS = {
    "misogynistic_slurs": "Comments using misogynistic slurs against women.",
    "hate_speech_racist_homophobic": "Racist or homophobic hate speech.",
    "opposing_political_views_trump": "Comments opposing the community's political views "
    "(here: criticising Trump in a pro-Trump community).",
    "verbal_attacks_on_reddit": "Verbal attacks on Reddit, the site, or its users in general.",
    "pornographic_links": "Links to pornographic or sexually explicit content.",
    "personal_attacks": "Personal attacks and insults aimed at another user.",
    "abusing_criticizing_mods": "Abusing or criticising the community's moderators.",
    "namecalling_claiming_too_sensitive": "Name-calling, or mocking others as too sensitive.",
}


def _reddit() -> list[Task]:
    by: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for r in _rows(DATA / "reddit-macro-norm-violations" / "reddit-macro-norm-violations.jsonl.gz"):
        key = (r["policy"], r["text"])
        if key not in seen and r["text"].strip():
            seen.add(key)
            by[r["policy"]].append(r["text"])
    rng = random.Random(7)
    tasks = []
    for norm, definition in REDDIT_NORMS.items():
        others = [t for n, texts in by.items() if n != norm for t in texts]
        rng.shuffle(others)
        mine = set(by[norm])
        tasks.append(
            Task(
                f"reddit:{norm}",
                "reddit",
                definition,
                [definition],
                [],
                by[norm],
                [t for t in others[:20000] if t not in mine],
            )
        )
    return tasks


def _davidson() -> list[Task]:
    by: dict[str, list[str]] = defaultdict(list)
    for r in _rows(DATA / "davidson-hate-offensive" / "davidson-hate-offensive.jsonl.gz"):
        by[r["label"]].append(r["text"])
    return [
        Task(
            "davidson:hate",
            "davidson",
            "Hate speech: language that attacks or demeans a group by race, ethnicity, religion, "
            "gender or sexual orientation. Merely offensive language or profanity is not hate "
            "speech.",
            ["Slur or attack aimed at a group", "Dehumanising a group"],
            ["Offensive but not hateful: profanity or insults that attack no group"],
            by["violating"],
            by["non_violating"],
        )
    ]


def build_tasks(min_per_class: int) -> list[Task]:
    """Every policy with enough items of each class."""
    tasks = _toxigen() + _ethos() + _conan() + _reddit() + _davidson()
    return [t for t in tasks if min(len(t.violating), len(t.safe)) >= min_per_class]


@dataclass
class Split:
    """A task's few-shot examples and evaluation items."""

    texts: PolicyTexts
    eval_texts: list[str]
    eval_labels: np.ndarray


def split_task(task: Task, n_examples: int, max_eval: int | None, seed: int) -> Split:
    rng = random.Random(f"{seed}:{task.name}")
    v, s = list(task.violating), list(task.safe)
    rng.shuffle(v)
    rng.shuffle(s)
    half = n_examples // 2
    ex_v, ex_s, rest_v, rest_s = v[:half], s[:half], v[half:], s[half:]
    if max_eval is not None:  # stratified cap, at least a third of each class when possible
        n_v = min(len(rest_v), max(max_eval // 3, max_eval - len(rest_s)))
        n_s = min(len(rest_s), max_eval - n_v)
        rest_v, rest_s = rest_v[:n_v], rest_s[:n_s]
    texts = PolicyTexts(
        tuple(ex_v), tuple(ex_s), (task.definition, *task.criteria), tuple(task.contexts)
    )
    labels = np.array([1] * len(rest_v) + [0] * len(rest_s))
    return Split(texts, rest_v + rest_s, labels)


def shapes(texts: PolicyTexts) -> dict[str, PolicyTexts]:
    """The policy as written three ways: full, violating examples only, criteria only."""
    return {  # the names of modgate.enforce.fewshot.SHAPES
        "full": texts,
        "no_safe": PolicyTexts(texts.violating, (), texts.criteria, texts.contexts),
        "criteria_only": PolicyTexts((), (), texts.criteria, texts.contexts),
    }


def hanley_mcneil(a: float, n_pos: int, n_neg: int) -> tuple[float, float]:
    """95% interval of a ROC-AUC from its standard error (Hanley & McNeil 1982)."""
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    var = (a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (n_pos * n_neg)
    half = 1.96 * float(np.sqrt(max(var, 0.0)))
    return max(a - half, 0.0), min(a + half, 1.0)


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def ece(labels: np.ndarray, probs: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width bins."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(probs, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(probs[mask].mean() - labels[mask].mean())
    return float(total)


def tfidf_baseline(split: Split) -> tuple[np.ndarray, float]:
    """TF-IDF nearest-example margin and its CPU seconds (fit included)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    start = time.process_time()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    examples = [*split.texts.violating, *split.texts.allowed]
    vec.fit(examples + split.eval_texts)
    protos = Prototypes(
        vec.transform(list(split.texts.violating)),
        vec.transform(list(split.texts.allowed)),
        None,
        None,
    )
    items = vec.transform(split.eval_texts)
    score = nearest_margin(items, protos)
    return score, time.process_time() - start


@dataclass
class Encoded:
    """A task embedded by one backend."""

    prototypes: dict[str, Prototypes]
    items: object
    cpu_s: float


def encode_task(backend, split: Split) -> Encoded:
    protos = {}
    for shape, texts in shapes(split.texts).items():
        protos[shape] = Prototypes.split(texts, backend.encode(texts.all_texts()))
    start = time.process_time()
    items = backend.encode(split.eval_texts)
    return Encoded(protos, items, time.process_time() - start)


def _capped(x: np.ndarray, y: np.ndarray, cap: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """At most `cap` rows of a block (evenly spaced: both classes stay), to keep fits quick."""
    if len(y) <= cap:
        return x, y
    keep = np.linspace(0, len(y) - 1, cap).astype(int)
    return x[keep], y[keep]


@dataclass(frozen=True)
class Draw:
    """One draw of a task's few-shot examples (`name` = task name # draw)."""

    name: str
    task: Task


def lopo(tasks, splits, encoded, backend_name, *, group_of=None):
    """Per held-out draw: {shape: (auc, brier, ece)} and its raw margin AUC, with a scorer
    fitted on the draws of other groups (group = the policy, or its data set)."""
    group_of = group_of or (lambda d: d.task.name)
    feats = {
        t.name: {
            s: similarity_features(encoded[t.name].items, p)
            for s, p in encoded[t.name].prototypes.items()
        }
        for t in tasks
    }
    scorers = {}
    results = {}
    for held in tasks:
        group = group_of(held)
        if group not in scorers:
            blocks = [
                (t.name, s, *_capped(feats[t.name][s], splits[t.name].eval_labels))
                for t in tasks
                if group_of(t) != group
                for s in SHAPES
            ]
            scorers[group] = fit_transfer_scorer(blocks, backend=backend_name)
        scorer = scorers[group]
        labels = splits[held.name].eval_labels
        out = {}
        for shape in SHAPES:
            p = scorer.predict(feats[held.name][shape], shape)
            out[shape] = (auc(labels, p), float(np.mean((p - labels) ** 2)), ece(labels, p))
        margin = nearest_margin(encoded[held.name].items, encoded[held.name].prototypes["full"])
        out["margin"] = auc(labels, margin)
        results[held.name] = out
    return results, feats


def _mean(results: dict, tasks: list[Draw], shape: str) -> float:
    return float(np.mean([results[t.name][shape][0] for t in tasks]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default=os.environ.get("FEWSHOT_BENCH_BACKENDS", "hybrid"))
    parser.add_argument(
        "--examples", type=int, default=12, help="few-shot examples per policy (8-16)"
    )
    parser.add_argument("--max-eval", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--draws",
        type=int,
        default=int(os.environ.get("FEWSHOT_BENCH_DRAWS", "1")),
        help="independent draws of each policy's examples (its AUC is their mean)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated policy-name prefixes to keep (e.g. reddit:,toxigen:); "
        "the scorer is then fitted on those policies only",
    )
    parser.add_argument("--fit-scorers", action="store_true")
    args = parser.parse_args()
    full = os.environ.get("FEWSHOT_BENCH_FULL") == "1"
    max_eval = None if full else args.max_eval
    wall = time.perf_counter()
    half = args.examples // 2
    policies = build_tasks(min_per_class=half + 8)
    if args.only:
        policies = [t for t in policies if t.name.startswith(tuple(args.only.split(",")))]
    tasks = [Draw(f"{t.name}#{d}", t) for t in policies for d in range(args.draws)]
    splits = {
        d.name: split_task(d.task, args.examples, max_eval, args.seed + i % args.draws)
        for i, d in enumerate(tasks)
    }
    n_items = sum(len(s.eval_texts) for s in splits.values())
    print(
        f"{len(policies)} policies from shared/data, {args.examples} examples each, "
        f"{args.draws} draw(s) of them, {n_items} evaluation items "
        f"({'full' if full else f'≤ {max_eval} per policy and draw'})"
    )
    base = {}
    base_cpu = 0.0
    for t in tasks:
        score, cpu = tfidf_baseline(splits[t.name])
        base[t.name] = auc(splits[t.name].eval_labels, score)
        base_cpu += cpu
    base_rate = n_items / base_cpu
    per = {p.name: [d for d in tasks if d.task is p] for p in policies}

    def mean_of(table: dict, policy: str, column: str | None = None) -> float:
        """A policy's figure: the mean over its draws (AUC of a (auc, brier, ece) tuple)."""
        values = [table[d.name] if column is None else table[d.name][column] for d in per[policy]]
        return float(np.mean([v[0] if isinstance(v, tuple) else v for v in values]))

    summary = []
    for name in args.backends.split(","):
        start = time.process_time()
        backend = get_backend(name)
        load_cpu = time.process_time() - start
        encoded = {t.name: encode_task(backend, splits[t.name]) for t in tasks}
        results, feats = lopo(tasks, splits, encoded, backend.identity)
        dataset_out, _ = lopo(
            tasks, splits, encoded, backend.identity, group_of=lambda d: d.task.dataset
        )
        # throughput: encode + features + scoring of every evaluation item, CPU time
        scorer = fit_transfer_scorer(
            [(t.name, "full", feats[t.name]["full"], splits[t.name].eval_labels) for t in tasks],
            backend=backend.identity,
        )
        cpu = sum(e.cpu_s for e in encoded.values())
        start = time.process_time()
        for t in tasks:
            scorer.predict(
                similarity_features(encoded[t.name].items, encoded[t.name].prototypes["full"]),
                "full",
            )
        cpu += time.process_time() - start
        rate = n_items / cpu
        print(f"\n== backend {backend.identity} (load {load_cpu:.1f} CPU s)")
        print(
            f"{'held-out policy':44} {'n':>5} {'few-shot':>8} {'95% interval':>13} "
            f"{'draw 1':>6} {'margin':>7} {'tfidf':>6} {'no-safe':>7} {'crit':>6} "
            f"{'brier':>6} {'ece':>6}"
        )
        backwards = []
        for p in policies:
            first = splits[per[p.name][0].name]
            n_pos = int(first.eval_labels.sum())
            a = mean_of(results, p.name, "full")
            low, high = hanley_mcneil(a, n_pos, len(first.eval_labels) - n_pos)
            if high < 0.5:
                backwards.append(p.name)
            print(
                f"{p.name:44} {len(first.eval_texts):5d} {a:8.3f} {low:6.3f}–{high:.3f} "
                f"{results[per[p.name][0].name]['full'][0]:6.3f} "
                f"{mean_of(results, p.name, 'margin'):7.3f} {mean_of(base, p.name):6.3f} "
                f"{mean_of(results, p.name, 'no_safe'):7.3f} "
                f"{mean_of(results, p.name, 'criteria_only'):6.3f} "
                f"{np.mean([results[d.name]['full'][1] for d in per[p.name]]):6.3f} "
                f"{np.mean([results[d.name]['full'][2] for d in per[p.name]]):6.3f}"
            )
        fs = np.array([mean_of(results, p.name, "full") for p in policies])
        bl = np.array([mean_of(base, p.name) for p in policies])
        mg = np.array([mean_of(results, p.name, "margin") for p in policies])
        ds = np.array([mean_of(dataset_out, p.name, "full") for p in policies])
        print(
            f"mean ROC-AUC: few-shot {fs.mean():.3f} | its raw margin {mg.mean():.3f} | "
            f"TF-IDF baseline {bl.mean():.3f} (few-shot − baseline {fs.mean() - bl.mean():+.3f}); "
            f"ahead on {int((fs > bl).sum())}/{len(policies)} policies"
        )
        print(
            f"min ROC-AUC few-shot {fs.min():.3f}; below 0.5 on {int((fs < 0.5).sum())}, "
            f"backwards (95% interval below 0.5) on {len(backwards)}"
            f"{': ' + ', '.join(backwards) if backwards else ''}; "
            f"leave-one-dataset-out mean {ds.mean():.3f}, min {ds.min():.3f}"
        )
        print(
            f"no safe examples: mean {_mean(results, tasks, 'no_safe'):.3f}; "
            f"criteria only: mean {_mean(results, tasks, 'criteria_only'):.3f}; "
            f"brier {np.mean([results[t.name]['full'][1] for t in tasks]):.3f}, "
            f"ECE {np.mean([results[t.name]['full'][2] for t in tasks]):.3f}"
        )
        print(
            f"throughput: {rate:,.0f} items per CPU-second (target ≥ {TARGET_ITEMS_PER_CORE:.0f}); "
            f"TF-IDF baseline {base_rate:,.0f}/s (ratio {rate / base_rate:.2f})"
        )
        summary.append((backend.identity, fs.mean(), fs.min(), rate))
        if args.fit_scorers:
            mit = [t for t in tasks if t.task.dataset in MIT_SETS]
            blocks = [
                (t.task.name, s, feats[t.name][s], splits[t.name].eval_labels)
                for t in mit
                for s in SHAPES
            ]
            shipped = fit_transfer_scorer(
                blocks,
                backend=backend.identity,
                note="fitted by bench/fewshot_bench.py --fit-scorers on ToxiGen prompt seeds and "
                "Davidson et al. 2017 (MIT); each policy with safe examples, violating only, "
                f"criteria only; {args.examples} examples, seed {args.seed}",
            )
            path = SHIPPED / f"{backend.name}.json"
            path.write_text(shipped.model_dump_json(indent=1) + "\n", encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({shipped.rows} rows, {len(mit)} policy draws)")
    print("\nsummary: backend, mean AUC, min AUC, items/CPU-s")
    for identity, mean, low, rate in summary:
        print(f"  {identity:40} {mean:.3f} {low:.3f} {rate:,.0f}")
    print(
        f"wall {time.perf_counter() - wall:.1f} s, CPU {time.process_time():.1f} s; "
        f"features {', '.join(FEATURES)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
