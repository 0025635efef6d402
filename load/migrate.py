"""The warehouse's schema, made and upgraded by Alembic migrations kept inside the package.

``upgrade(engine)`` brings any database to the newest revision: an empty one gets every table, a
database made before migrations existed (tables present, no ``alembic_version``) is recognised by
its ``observation`` table, stamped at the first revision, then upgraded.
"""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"


def alembic_config(connection=None) -> Config:
    """An Alembic configuration pointing at the package's migrations (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database at ``engine`` to ``revision`` (default: the newest)."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "observation" in tables and "alembic_version" not in tables:
            # Made by the create_all of earlier versions: it holds the first revision's schema.
            logger.info("stamping the warehouse made without migrations at %s", FIRST_REVISION)
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, revision)
