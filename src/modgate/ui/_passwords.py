"""Password hashing with argon2id (argon2-cffi; parameters and salt live in the encoded hash)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from modgate.errors import ValidationError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_PASSWORD_CHARS = 12
"""Shortest password accepted."""


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # RFC 9106 low-memory profile: argon2id, t=3, m=64 MiB, p=4


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing.

    Raises:
        ValidationError: Shorter than `MIN_PASSWORD_CHARS` or blank.
    """
    if len(password) < MIN_PASSWORD_CHARS or not password.strip():
        raise ValidationError(
            f"the password has {len(password)} characters; at least {MIN_PASSWORD_CHARS} needed"
        )


def hash_password(password: str) -> str:
    """The argon2id encoded hash of `password`."""
    return _hasher().hash(password)


def verify_password(encoded: str, password: str) -> bool:
    """Whether `password` matches the encoded hash (constant time; False on any mismatch)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(encoded, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """Whether the hash was made with older parameters than the current ones."""
    return bool(_hasher().check_needs_rehash(encoded))


# A hash of a random password: verifying against it when the user does not exist costs the same
# time as a real check, so response times do not reveal which usernames exist.
@cache
def dummy_hash() -> str:
    """A throwaway hash to verify against for unknown usernames."""
    import secrets

    return hash_password(secrets.token_urlsafe(16))


__all__ = [
    "MIN_PASSWORD_CHARS",
    "check_password_strength",
    "dummy_hash",
    "hash_password",
    "needs_rehash",
    "verify_password",
]
