"""Rows the CLI hands to `enforce` for training: a frozen golden split and a policy's examples.

`enforce` does not know golden sets or policies (siblings and layers stay independent); the
CLI fetches the rows here and passes plain (text, label, weight) rows down.
"""

from __future__ import annotations

from modgate.domain import Action
from modgate.enforce import ApplicablePolicy, TrainingRow
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
    wanted = policy.split("@", 1)[0]
    out: dict[str, list[TrainingRow]] = {"train": [], "dev": []}
    for split in out:
        for row in golden_version_rows(store, version.ref, split):
            if row.policy.split("@", 1)[0] != wanted:
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
