"""Alembic environment: migrations run on the connection the store hands over."""

from __future__ import annotations

from alembic import context

from facilitation.store._schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through facilitation.store
    raise RuntimeError("facilitation migrations run through facilitation.open_workspace()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
