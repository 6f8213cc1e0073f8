"""Tables of the `serve` package: API keys (stored hashed).

Added by the `0019_serve` migration.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table

from modgate.store._tables import JsonType, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(256), nullable=False),
    # scrypt(secret, salt): the secret itself is shown once, at creation, and never stored
    Column("secret_hash", String(128), nullable=False),
    Column("salt", String(64), nullable=False),
    Column("scopes", JsonType, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)
