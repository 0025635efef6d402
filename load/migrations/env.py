"""Alembic's environment for the warehouse, configured by ``load.migrate`` (no alembic.ini).

The caller passes an open connection in ``config.attributes["connection"]``; SQLite gets batch
mode, since it cannot alter a table in place.
"""

from alembic import context

from load.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
