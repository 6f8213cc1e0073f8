"""Attack an enforcer with perturbations: the scoring loop shared by `run_redteam` and benches.

No store: an enforcer and golden examples in, attack outcomes out. Every perturbed text is
drawn from `derive_rng(seed, item id, perturbation, attempt)`, so a run is rebuilt exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from modgate.domain import Item, Verdict
from modgate.enforce import Enforcer
from modgate.errors import EnforcerError, ValidationError
from modgate.evaluate import GoldenExample
from modgate.redteam._perturbation import Perturbation, derive_rng
from modgate.redteam._robustness import AttackOutcome


def _flagged(verdict: Verdict) -> bool:
    return verdict.label == "violating"


def _evaded(verdict: Verdict) -> bool:
    # An errored verdict is routed to review: not an evasion.
    return verdict.label != "violating" and verdict.error is None


def predict_checked(enforcer: Enforcer, items: Sequence[Item], batch_size: int) -> list[Verdict]:
    """`enforcer.predict` in batches, checking the batch contract (count and order)."""
    out: list[Verdict] = []
    for start in range(0, len(items), batch_size):
        batch = list(items[start : start + batch_size])
        verdicts = enforcer.predict(batch)
        if len(verdicts) != len(batch) or any(
            v.item_id != i.id for v, i in zip(verdicts, batch, strict=False)
        ):
            raise EnforcerError(
                f"{enforcer.spec.ref} broke the batch contract (one verdict per item, in order)"
            )
        out.extend(verdicts)
    return out


def _perturb(item: Item, perturbation: Perturbation, seed: int, label: str, attempt: int) -> Item:
    """The item with its body (and title, when it has one) perturbed."""
    update = {"body": perturbation.apply(item.body, derive_rng(seed, item.id, label, str(attempt)))}
    if item.title:
        rng = derive_rng(seed, item.id, label, str(attempt), "title")
        update["title"] = perturbation.apply(item.title, rng)
    return item.model_copy(update=update)


def attack_enforcer(
    enforcer: Enforcer,
    examples: Sequence[GoldenExample],
    perturbations: Sequence[Perturbation],
    *,
    clean: Sequence[Verdict] | None = None,
    budget: int = 1,
    seed: int = 0,
    batch_size: int = 2000,
) -> list[AttackOutcome]:
    """Perturb the items and score them again; one outcome per (eligible item, perturbation).

    Eligible: violating items caught on clean text (attacks try to get them through) and
    non-violating items not flagged on clean text (do perturbations alone make them flagged?).

    Args:
        enforcer: The enforcer under attack.
        examples: Golden examples (body and title are perturbed; other fields stay).
        perturbations: What to try.
        clean: Verdicts on the clean items, in `examples` order (scored here when absent).
        budget: Attempts (different seeds) per item and perturbation; an item stops at its
            first flip.
        seed: Seed of every random choice.
        batch_size: Items per `predict` call.

    Raises:
        ValidationError: `budget` below 1, or `clean` does not match `examples`.
        EnforcerError: The enforcer broke the batch contract.
    """
    if budget < 1:
        raise ValidationError(f"budget must be at least 1 attempt, got {budget}")
    items = [e.item for e in examples]
    clean_verdicts = (
        list(clean) if clean is not None else predict_checked(enforcer, items, batch_size)
    )
    if len(clean_verdicts) != len(examples):
        raise ValidationError(f"{len(clean_verdicts)} clean verdicts for {len(examples)} examples")
    eligible = [
        (e, v)
        for e, v in zip(examples, clean_verdicts, strict=True)
        if (e.gold and _flagged(v)) or (not e.gold and not _flagged(v) and v.error is None)
    ]
    policy = enforcer.spec.policy.split("@", 1)[0]
    outcomes: list[AttackOutcome] = []
    for perturbation in perturbations:
        label = perturbation.spec.label
        pending = list(eligible)
        last: dict[str, tuple[str, Verdict, int]] = {}
        for attempt in range(budget):
            if not pending:
                break
            batch = [_perturb(e.item, perturbation, seed, label, attempt) for e, _ in pending]
            texts = [item.text for item in batch]
            verdicts = predict_checked(enforcer, batch, batch_size)
            still: list[tuple[GoldenExample, Verdict]] = []
            for (e, clean_v), text, v in zip(pending, texts, verdicts, strict=True):
                last[e.item.id] = (text, v, attempt + 1)
                flipped = _evaded(v) if e.gold else _flagged(v)
                if not flipped:
                    still.append((e, clean_v))
            pending = still
        for e, clean_v in eligible:
            text, v, attempts = last[e.item.id]
            outcomes.append(
                AttackOutcome(
                    item_id=e.item.id,
                    gold=e.gold,
                    policy=policy,
                    community=e.item.community,
                    perturbation=label,
                    family=perturbation.family,
                    flipped=_evaded(v) if e.gold else _flagged(v),
                    attempts=attempts,
                    original=e.item.text,
                    perturbed=text,
                    clean_score=clean_v.score,
                    score=v.score,
                )
            )
    return outcomes


__all__ = ["attack_enforcer", "predict_checked"]
