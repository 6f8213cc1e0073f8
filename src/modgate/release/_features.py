"""Evasion signals of one item, computed once when its decision is made (pure).

`decide_with_deployments` records them (`decision_features`) in the transaction that writes the
decisions, so every decision — served, streamed, decided in batch or simulated — has them and no
monitor re-tokenizes the log.

An adversarial wave shows up as a jump in the share of items whose text `normalize_text` had to
de-obfuscate (invisible characters, bidi controls, zalgo marks, mixed-script confusables,
leetspeak, spaced-out letters), and in the share of items that were **caught only after
normalization**. The monitor compares both shares per community with the rate-change test
(`detect_rate_changes`), so its false-alarm behaviour is that test's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.domain import Action, Decision, Item
from modgate.text import normalize_text

MATERIAL_SIGNALS = 1
"""Evasion signals (`NormalizationChanges.evasion_signals`) from which a change is material."""


class EvasionFeatures(BaseModel):
    """What normalization revealed about one item."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evasion_signals: int
    """Obfuscation changes normalization made (variation selectors and NFKC excluded)."""
    normalization_changed: bool
    """At least `MATERIAL_SIGNALS` obfuscation changes."""
    caught_after_normalization: bool
    """Actioned, and the text needed de-obfuscation: the raw text would have read differently."""


def evasion_features(
    text: str, action: Action | str, *, material_signals: int = MATERIAL_SIGNALS
) -> EvasionFeatures:
    """Evasion features of one item's text and its decided action.

    "Caught after normalization" is recorded for an actioned item (any action but `allow`) whose
    text normalization changed materially: every enforcer reads normalized text, so this is the
    share of enforcement that depends on de-obfuscation. (It does not re-run the enforcer on the
    raw text; a rules enforcer that records which matches needed folding can refine it later.)

    Args:
        text: The item's text (title and body joined).
        action: The decision's action.
        material_signals: Signals from which a change counts as material.

    Returns:
        The features.
    """
    signals = normalize_text(text).changes.evasion_signals
    changed = signals >= material_signals
    actioned = Action(action) is not Action.ALLOW
    return EvasionFeatures(
        evasion_signals=signals,
        normalization_changed=changed,
        caught_after_normalization=changed and actioned,
    )


def item_text(item: Item) -> str:
    """The text features are computed on: title and body joined (as the enforcers read them)."""
    return " ".join(x for x in (item.title, item.body) if x)


def decision_feature_rows(
    decisions: Sequence[Decision], items: Mapping[str, Item]
) -> list[dict[str, Any]]:
    """Rows of `decision_features` for decisions just made (their items by id)."""
    rows = []
    for d in decisions:
        item = items[d.item_id]
        feats = evasion_features(item_text(item), d.action)
        rows.append(
            {
                "decision_id": d.decision_id,
                "item_id": d.item_id,
                "community": item.community,
                "decided_at": d.decided_at,
                "evasion_signals": feats.evasion_signals,
                "normalization_changed": feats.normalization_changed,
                "caught_after_normalization": feats.caught_after_normalization,
            }
        )
    return rows
