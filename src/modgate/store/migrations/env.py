"""Alembic environment: uses the engine modgate hands over in `config.attributes`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from modgate.store._tables import metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(
    config.get_main_option("sqlalchemy.url") or "sqlite://"
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
