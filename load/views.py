"""The analysts' views: plain SQL files in ``sql/views``, created in their numbered order.

Each file holds one ``CREATE VIEW`` whose text runs unchanged on SQLite and PostgreSQL. A file
whose first lines say ``-- requires-table: NAME`` is created only when the warehouse has that
table; otherwise it is skipped with a logged note. ``create_views`` drops and re-creates every
view in one transaction, so it can be run after each migration. Re-creating a view drops the
grants on it: on PostgreSQL, ``grant_select_to`` names the roles that get SELECT on each view again.
"""

import logging
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sqlalchemy import Engine, inspect

logger = logging.getLogger(__name__)

_VIEW_NAME = re.compile(r"CREATE\s+VIEW\s+(\w+)", re.IGNORECASE)
_REQUIRES = re.compile(r"^--\s*requires-table:\s*(\w+)\s*$", re.MULTILINE)
_ROLE = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class ViewFile:
    """One view's SQL: its name, its text, and the tables it needs beyond the core ones."""

    name: str
    sql: str
    requires: tuple[str, ...]


def sql_folder() -> Traversable:
    """The ``sql`` folder: ``chiso766/sql`` in an installed wheel, else the checkout's ``sql/``."""
    packaged = resources.files("chiso766").joinpath("sql")
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "sql"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"The analysts' SQL folder is missing: neither {packaged} nor {checkout} exists; "
        "reinstall chiso766."
    )


def view_files() -> list[ViewFile]:
    """The view files in the order they must be created (their numbered file names)."""
    folder = sql_folder().joinpath("views")
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")),
        key=lambda entry: entry.name,
    )
    views = []
    for entry in files:
        sql = entry.read_text(encoding="utf-8")
        match = _VIEW_NAME.search(sql)
        if match is None:
            raise ValueError(f"{entry.name} holds no CREATE VIEW statement.")
        views.append(ViewFile(match.group(1), sql.strip(), tuple(_REQUIRES.findall(sql))))
    return views


def create_views(engine: Engine, grant_select_to: tuple[str, ...] = ()) -> list[str]:
    """Drop and re-create every view whose tables exist, in one transaction; return their names.

    ``grant_select_to``: PostgreSQL roles given SELECT on every view created (ignored on SQLite,
    which has no roles).
    """
    bad = [role for role in grant_select_to if not _ROLE.match(role)]
    if bad:
        raise ValueError(f"Role names must be lower-case SQL identifiers; got {bad!r}.")
    grants = grant_select_to if engine.dialect.name == "postgresql" else ()
    views = view_files()
    tables = set(inspect(engine).get_table_names())
    created = []
    with engine.begin() as connection:
        _drop(connection, views)
        for view in views:
            missing = [table for table in view.requires if table not in tables]
            if missing:
                logger.info(
                    "view %s not created: the warehouse has no table %s yet",
                    view.name, ", ".join(missing),
                )  # fmt: skip
                continue
            connection.exec_driver_sql(view.sql)
            for role in grants:
                connection.exec_driver_sql(f"GRANT SELECT ON {view.name} TO {role}")
            created.append(view.name)
    logger.info("created %d analyst views: %s", len(created), ", ".join(created))
    return created


def missing_views(engine: Engine) -> list[str]:
    """The views that could be created (their tables exist) but are not in the database."""
    inspector = inspect(engine)
    tables, present = set(inspector.get_table_names()), set(inspector.get_view_names())
    return [
        view.name
        for view in view_files()
        if view.name not in present and all(table in tables for table in view.requires)
    ]


def drop_views(engine: Engine) -> None:
    """Drop every view of ``sql/views`` that exists, in one transaction."""
    with engine.begin() as connection:
        _drop(connection, view_files())


def _drop(connection, views: list[ViewFile]) -> None:
    # Dependants first: a view is only ever built on views of lower numbers.
    for view in reversed(views):
        connection.exec_driver_sql(f"DROP VIEW IF EXISTS {view.name}")
