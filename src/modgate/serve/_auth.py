"""API key verification with a short-lived cache (scrypt is slow on purpose).

Scrypt runs once per presented key per process: a verified key is remembered with the hash it
matched, and when its cache time is up only its row is read again (one indexed query, no
scrypt) to see that it is still unrevoked and unchanged. One caller at a time refreshes a key
(the others wait for it), so an expiring cache never sets every in-flight request hashing at
once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from modgate.serve._keys import secret_matches, split_key
from modgate.serve._repo import get_key_secret
from modgate.store import Store


@dataclass(frozen=True)
class _Verified:
    key_id: str
    scopes: tuple[str, ...]
    secret_hash: str
    fresh_until: float


class KeyVerifier:
    """Checks presented keys against the store, trusting a verified one for `cache_seconds`.

    Args:
        store: The store holding the keys.
        cache_seconds: How long a verified key is trusted before its row is read again (so a
            revocation takes effect within this time).
    """

    def __init__(self, store: Store, cache_seconds: float) -> None:
        self._store = store
        self._ttl = cache_seconds
        self._cache: dict[str, _Verified] = {}
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}

    @staticmethod
    def _digest(presented: str) -> str:
        return hashlib.sha256(presented.encode()).hexdigest()

    def cached(self, presented: str) -> tuple[str, tuple[str, ...]] | None:
        """(key id, scopes) when the key was verified within the cache time, else None.

        Cheap (one SHA-256, no I/O): fit for the event loop; on None call `verify`.
        """
        hit = self._cache.get(self._digest(presented))
        if hit is not None and hit.fresh_until > time.monotonic():
            return hit.key_id, hit.scopes
        return None

    def verify(self, presented: str) -> tuple[str, tuple[str, ...]] | None:
        """(key id, scopes) of a valid, unrevoked key, else None (may block on the store)."""
        digest = self._digest(presented)
        with self._lock:
            flight = self._flights.setdefault(digest, threading.Lock())
        with flight:  # one refresh per key at a time; the others find it fresh
            hit = self._cache.get(digest)
            now = time.monotonic()
            if hit is not None and hit.fresh_until > now:
                return hit.key_id, hit.scopes
            found = self._check(presented, hit, now)
        if found is None:
            with self._lock:
                self._flights.pop(digest, None)
        return found

    def _check(
        self, presented: str, hit: _Verified | None, now: float
    ) -> tuple[str, tuple[str, ...]] | None:
        digest = self._digest(presented)
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        stored = get_key_secret(self._store, key_id)
        if stored is None:
            self._cache.pop(digest, None)
            return None
        salt, secret_hash, scopes = stored
        # the same stored hash this key already matched: no need to run scrypt again
        if (hit is None or hit.secret_hash != secret_hash) and not secret_matches(
            secret, salt, secret_hash
        ):
            self._cache.pop(digest, None)
            return None
        self._cache[digest] = _Verified(key_id, scopes, secret_hash, now + self._ttl)
        return key_id, scopes


__all__ = ["KeyVerifier"]
