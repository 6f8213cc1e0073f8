"""Training an enforcer spec from a frozen golden split, a rows file and the policy's examples.

`enforce` does not know golden sets or policies (siblings and layers stay independent); this
module, one layer above both, fetches the rows and passes plain (text, label, weight) rows down.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from modgate.domain import Action, VersionRef
from modgate.enforce import (
    ApplicablePolicy,
    EnforcerSpec,
    RegisterResult,
    TrainingRow,
    read_training_rows,
    train_enforcer,
)
from modgate.errors import NotFoundError, ValidationError
from modgate.golden import get_golden_version, golden_version_rows
from modgate.policy import get_policy_version, parse_policy_ref
from modgate.store import Store

_BINARY = {"violating": 1, "non_violating": 0}
_MIN_WEIGHT = 1e-3  # a gold label no annotator voted for still counts, barely


def golden_training_rows(
    store: Store, golden: str, policy: str
) -> tuple[list[TrainingRow], list[TrainingRow], str]:
    """The train and dev rows of a frozen golden version about `policy`.

    Args:
        store: The store.
        golden: `NAME@VERSION` (or `NAME`: the latest frozen version).
        policy: The enforcer's policy (`id@version`); rows of other policies are left out.

    Returns:
        Train rows, dev rows and the resolved `NAME@VERSION`.

    Raises:
        NotFoundError: No such golden version.
        ValidationError: Labels other than violating / non_violating, or no row of the policy.
    """
    version = get_golden_version(store, golden)
    wanted = VersionRef.name_of(policy)
    out: dict[str, list[TrainingRow]] = {"train": [], "dev": []}
    for split in out:
        for row in golden_version_rows(store, version.ref, split):
            if VersionRef.name_of(row.policy) != wanted:
                continue
            if row.label not in _BINARY:
                raise ValidationError(
                    f"golden version {version.ref}: item {row.item_id} has label {row.label!r}; "
                    "training needs violating / non_violating"
                )
            out[split].append(
                TrainingRow(
                    text=row.text, label=_BINARY[row.label], weight=max(row.weight, _MIN_WEIGHT)
                )
            )
    if not out["train"]:
        raise ValidationError(
            f"golden version {version.ref} has no train rows for policy {wanted!r}"
        )
    return out["train"], out["dev"], version.ref


def policy_example_rows(store: Store, policy: str) -> list[TrainingRow]:
    """The published policy's own examples as rows (`violates` → 1, `safe` → 0).

    Returns an empty list when the policy is not published in this store.
    """
    policy_id, version = parse_policy_ref(policy)
    try:
        published = get_policy_version(store, policy_id, version)
    except NotFoundError:
        return []
    return [
        TrainingRow(text=example.text, label=1 if example.label == "violates" else 0)
        for example in published.policy.examples
    ]


def applicable_policy(store: Store, policy: str) -> ApplicablePolicy:
    """The decision view of a policy: its scope and the actions it may take, when published."""
    policy_id, version = parse_policy_ref(policy)
    try:
        published = get_policy_version(store, policy_id, version)
    except NotFoundError:
        return ApplicablePolicy(policy=policy)
    return ApplicablePolicy(
        policy=published.record.ref,
        scope=published.policy.scope,
        actions=frozenset(Action(a) for a in published.policy.actions),
    )


def rows_per_class(rows: Sequence[TrainingRow]) -> dict[str, int]:
    """Rows per class: `{"violating": n, "non_violating": m}`."""
    violating = sum(1 for r in rows if r.label == 1)
    return {"violating": violating, "non_violating": len(rows) - violating}


def train_enforcer_from_sources(
    store: Store,
    spec: EnforcerSpec,
    *,
    workspace: Path,
    actor: str,
    golden: str | None = None,
    train_file: Path | None = None,
    dev_file: Path | None = None,
    policy_examples: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_rows: Callable[[dict[str, dict[str, int]]], None] | None = None,
) -> RegisterResult:
    """Train a classifier spec on a frozen golden version or a rows file and register it.

    Args:
        store: The store.
        spec: The enforcer spec to train.
        workspace: The workspace artifacts are saved under.
        actor: Who trains (audit).
        golden: A frozen golden version `NAME@VERSION`: fit on its train split rows of the
            spec's policy, measure on its dev split. Exactly one of `golden`, `train_file`.
        train_file: A CSV/JSONL/Parquet file of text,label[,weight] rows to fit on.
        dev_file: Held-out text,label rows for the stored dev metrics (overrides the dev split).
        policy_examples: Also fit on the published policy's own examples.
        on_start: Called with the number of training rows just before fitting (progress).
        on_rows: Called with the rows per source (`golden:NAME@V:train`, `file:…`,
            `policy:…:examples`) and per class, before fitting.

    Returns:
        The registered version (or the existing identical one).

    Raises:
        ValidationError: Neither or both of `golden` and `train_file`; bad labels; no rows.
        NotFoundError: No such golden version.
    """
    if (golden is None) == (train_file is None):
        raise ValidationError("give exactly one of --golden NAME@VERSION and --train-file FILE")
    if golden is not None:
        rows, dev_rows, resolved = golden_training_rows(store, golden, spec.policy)
        source = f"golden:{resolved}:train"
    else:
        assert train_file is not None
        rows, dev_rows = read_training_rows(train_file), []
        source = f"file:{train_file.name}"
    sources = {source: rows_per_class(rows)}
    if dev_file is not None:
        dev_rows = read_training_rows(dev_file)
    if policy_examples:
        examples = policy_example_rows(store, spec.policy)
        if examples:
            rows = [*rows, *examples]
            sources[f"policy:{spec.policy}:examples"] = rows_per_class(examples)
            source += f"+policy:{spec.policy}:examples({len(examples)})"
    if on_rows is not None:
        on_rows(sources)
    if on_start is not None:
        on_start(len(rows))
    return train_enforcer(
        store,
        spec,
        rows,
        workspace=workspace,
        actor=actor,
        dev_rows=dev_rows,
        training_source=source,
    )
