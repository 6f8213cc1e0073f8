"""API key verification with a short-lived cache (scrypt is slow on purpose)."""

from __future__ import annotations

import hashlib
import threading
import time

from modgate.serve._keys import secret_matches, split_key
from modgate.serve._repo import get_key_secret
from modgate.store import Store


class KeyVerifier:
    """Checks presented keys against the store, trusting a verified one for `cache_seconds`.

    Args:
        store: The store holding the keys.
        cache_seconds: How long a verified key is trusted before it is read again (so a
            revocation takes effect within this time).
    """

    def __init__(self, store: Store, cache_seconds: float) -> None:
        self._store = store
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[str, tuple[str, ...], float]] = {}
        self._lock = threading.Lock()

    def verify(self, presented: str) -> tuple[str, tuple[str, ...]] | None:
        """(key id, scopes) of a valid, unrevoked key, else None."""
        digest = hashlib.sha256(presented.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and hit[2] > now:
            return hit[0], hit[1]
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        stored = get_key_secret(self._store, key_id)
        if stored is None or not secret_matches(secret, stored[0], stored[1]):
            with self._lock:
                self._cache.pop(digest, None)
            return None
        with self._lock:
            self._cache[digest] = (key_id, stored[2], now + self._ttl)
        return key_id, stored[2]


__all__ = ["KeyVerifier"]
