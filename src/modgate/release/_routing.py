"""Canary routing (pure): which arm an item lands on is a function of (item id, salt) only.

The bucket of an item is the first 64 bits of sha256(salt, item id) read as a fraction of
2**64, so it is uniform on [0, 1), the same on every process and machine, and independent of
arrival order. An item goes to the canary when its bucket is below the share: raising the
share keeps every item already on the canary there (a ramp never reshuffles).
"""

from __future__ import annotations

import hashlib

_SCALE = float(2**64)


def canary_bucket(item_id: str, salt: str) -> float:
    """The item's stable position in [0, 1) for this salt."""
    digest = hashlib.sha256(f"{salt}\x1f{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def routes_to_canary(item_id: str, salt: str, share: float) -> bool:
    """Whether the item goes to the canary arm of a deployment with this salt and share.

    Args:
        item_id: The item.
        salt: The canary's salt (fixed when the canary starts).
        share: Traffic share of the canary, in [0, 1].

    Returns:
        True for about `share` of all ids, always the same ones for a salt.
    """
    return canary_bucket(item_id, salt) < share


__all__ = ["canary_bucket", "routes_to_canary"]
