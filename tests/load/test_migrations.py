"""The schema comes from Alembic migrations: new and old warehouses end alike, as the models say."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect

from chiso766.cli import main
from load.engine import open_engine
from load.migrate import current_revision, upgrade
from load.models import Base

# The tables of the first revision, which the code before migrations made with create_all.
FIRST_TABLES = ("province", "unit", "unit_alias", "capture", "observation", "score")
HEAD = "0002"


def schema(engine) -> dict:
    """Tables, columns, indexes and unique constraints, as the database reports them."""
    inspector = inspect(engine)
    found = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        found[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
        }
    return found


def first_revision_metadata() -> MetaData:
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for name in FIRST_TABLES:
        Base.metadata.tables[name].to_metadata(metadata)
    # Added by the second revision, after create_all had stopped making warehouses.
    score = metadata.tables["score"]
    score.indexes.discard(next(i for i in score.indexes if i.name == "ix_score_rank"))
    return metadata


def test_a_new_and_an_old_warehouse_end_in_the_same_schema(database_url, tmp_path):
    new = open_engine(database_url)
    upgrade(new)
    if new.dialect.name == "sqlite":
        old = open_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    else:
        new_schema = schema(new)
        new.dispose()
        # The same database, emptied and made the old way, then upgraded.
        old = open_engine(database_url)
        Base.metadata.drop_all(old)
        with old.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")
    first_revision_metadata().create_all(old)  # what create_all made before migrations existed

    upgrade(old)

    expected = schema(new) if new.dialect.name == "sqlite" else new_schema
    assert schema(old) == expected
    assert current_revision(old) == HEAD
    assert set(expected) == set(Base.metadata.tables)
    old.dispose()
    new.dispose()


def test_the_migrated_schema_equals_the_models(database_url):
    engine = open_engine(database_url)
    upgrade(engine)

    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            Base.metadata,
        )
    engine.dispose()

    assert differences == []


def test_db_upgrade_reports_the_revision(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"

    assert main(["db", "upgrade", "--db", url]) == 0
    assert f"schema revision {HEAD}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", url]) == 0  # a second run changes nothing
    engine = create_engine(url)
    assert current_revision(engine) == HEAD
    engine.dispose()
