"""Which review decisions become golden annotations: a seeded hash, so reruns agree (pure)."""

from __future__ import annotations

import hashlib


def sample_fraction(seed: str, item_id: str, policy: str) -> float:
    """A uniform number in [0, 1) fixed by (seed, item, policy): the first 8 bytes of sha256."""
    digest = hashlib.sha256(f"{seed}\x00{policy}\x00{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_sampled(seed: str, item_id: str, policy: str, rate: float) -> bool:
    """Whether an item's review under a policy is written to the golden set at `rate`.

    The same item is always in or out for a given seed and policy (a re-review after undo
    lands in the same place), and over many items the share sampled is `rate`.
    """
    if rate >= 1.0:
        return True
    if rate <= 0.0:
        return False
    return sample_fraction(seed, item_id, policy) < rate
