"""API keys: generation, scrypt hashing and verification (pure: no database, no clock)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal, get_args

Scope = Literal["moderate", "read", "review", "admin"]
"""What a key may do: `moderate` (POST /v1/moderate, appeals), `read` (decisions, policies,
queues), `review` (claim, decide and undo review tasks and appeals, as the key's reviewer),
`admin` (everything, e.g. syncing the queue)."""

SCOPES: tuple[str, ...] = get_args(Scope)
"""Every scope."""

_PREFIX = "mgk"
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1


def new_key() -> tuple[str, str]:
    """A fresh (key id, full key); the full key is `mgk_<id>_<secret>`, shown once."""
    key_id = secrets.token_hex(8)
    return key_id, f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def split_key(key: str) -> tuple[str, str] | None:
    """The (key id, secret) of a presented key, or None when it is not shaped like one."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _PREFIX or len(parts[1]) != 16 or not parts[2]:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str, salt: str) -> str:
    """Scrypt of the secret with a per-key salt (hex); slow on purpose, so cached once verified."""
    return hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt), n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    ).hex()


def new_salt() -> str:
    """A random 16-byte salt (hex)."""
    return secrets.token_hex(16)


def secret_matches(secret: str, salt: str, stored_hash: str) -> bool:
    """Whether the secret hashes to the stored hash (constant-time comparison)."""
    return hmac.compare_digest(hash_secret(secret, salt), stored_hash)


def hash_author_id(author_id: str, key: bytes) -> str:
    """Keyed hash of an author id (HMAC-SHA256, hex): stable per key, not reversible."""
    return "h:" + hmac.new(key, author_id.encode(), hashlib.sha256).hexdigest()[:32]


__all__ = [
    "SCOPES",
    "Scope",
    "hash_author_id",
    "hash_secret",
    "new_key",
    "new_salt",
    "secret_matches",
    "split_key",
]
