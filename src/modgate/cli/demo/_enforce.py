"""Demo step: train the local classifier, score the demo items, show decisions with reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.table import Table

from modgate.cli.demo._run import DemoRun
from modgate.domain import VersionRef
from modgate.enforce import (
    RegisterResult,
    decide_items,
    load_enforcer,
    load_enforcer_spec,
    score_items,
    select_item_ids,
)
from modgate.evaluate import applicable_policy, train_enforcer_from_sources
from modgate.golden import get_golden_version, golden_version_rows

SPEC_NAME = "hate-speech-fast"
GOLDEN_SET = "demo"  # frozen by the golden demo step that runs before this one
SPEC_TEXT = """\
# The local classifier of the demo: hashed word n-grams + calibrated logistic regression.
kind: classifier
policy: hate_speech@1
params:
  profile: fast
thresholds:
  remove: 0.85
  review: 0.5
"""


@dataclass(frozen=True)
class DemoTraining:
    """What `train_demo_classifier` did."""

    result: RegisterResult
    golden_ref: str
    n_train: int
    n_examples: int


def train_demo_classifier(run: DemoRun, name: str, spec_text: str) -> DemoTraining:
    """Train and register a demo classifier on the frozen demo golden set.

    Writes `enforcers/NAME.yaml` unless present, then trains it as `modgate enforcer train
    --golden demo` does: the train split plus the policy's own examples, dev split measured.
    """
    spec_path = run.workspace / "enforcers" / f"{name}.yaml"
    if not spec_path.exists():
        spec_path.write_text(spec_text, encoding="utf-8")
    fitted: dict[str, dict[str, int]] = {}
    result = train_enforcer_from_sources(
        run.store,
        load_enforcer_spec(spec_path),
        workspace=run.workspace,
        actor=run.settings.actor,
        golden=GOLDEN_SET,
        on_rows=fitted.update,
    )
    counts = [sum(per_class.values()) for per_class in fitted.values()]
    return DemoTraining(
        result,
        get_golden_version(run.store, GOLDEN_SET).ref,
        n_train=counts[0],
        n_examples=sum(counts[1:]),
    )


def step_enforce(run: DemoRun) -> None:
    """Train the classifier on the frozen demo golden set, score every item, decide."""
    training = train_demo_classifier(run, SPEC_NAME, SPEC_TEXT)
    golden_ref = training.golden_ref
    policy = training.result.version.spec.policy
    gold = {
        row.item_id: row.label
        for row in golden_version_rows(run.store, golden_ref)
        if row.policy == VersionRef.name_of(policy)
    }
    trained = training.result
    version = trained.version
    metrics = version.metrics
    run.out.print(
        f"[bold]enforcer[/bold]: {version.ref} trained on {golden_ref} train split "
        f"({training.n_train} rows) + {training.n_examples} policy examples; dev n={metrics['n']} "
        f"AUPRC={metrics['average_precision']:.3f} precision={metrics['precision']:.3f} "
        f"recall={metrics['recall']:.3f}"
    )
    _, enforcer = load_enforcer(run.store, version.ref, workspace=run.workspace)
    ids = select_item_ids(run.store, None)
    scored = score_items(run.store, version, enforcer, ids, actor=run.settings.actor)
    run.out.print(
        f"[bold]scored[/bold]: {scored.scored} new verdicts, {scored.already_scored} already "
        f"scored, {scored.errors} errors"
    )
    decisions = decide_items(run.store, ids, [version], [applicable_policy(run.store, policy)])
    counts = Counter(d.action.value for d in decisions)
    run.out.print(
        "[bold]decisions[/bold]: "
        + ", ".join(f"{a} {counts[a]}" for a in ("remove", "review", "warn", "label", "allow"))
    )
    table = Table(title="sample decisions with reasons", show_lines=False)
    for column in ("item", "gold label", "action", "reason (policy · enforcer · verdict action)"):
        table.add_column(column, overflow="fold")
    shown = {"remove": 0, "review": 0, "label": 0, "allow": 0}
    for decision in decisions:
        key = decision.action.value
        if shown.get(key, 99) >= 2:
            continue
        shown[key] += 1
        reason = decision.reasons[0]
        table.add_row(
            decision.item_id,
            gold.get(decision.item_id, "?"),
            key,
            f"{reason.policy} · {reason.enforcer} · {reason.action.value}"
            + (f" (error: {reason.error})" if reason.error else ""),
        )
    run.out.print(table)
    run.notes.append(f"modgate enforcer show {version.ref}")
    run.notes.append(
        'modgate sql "SELECT action, count(*) FROM verdicts GROUP BY 1 ORDER BY 2 DESC"'
    )
