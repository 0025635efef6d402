"""Fixtures shared by the whole suite: a fresh PostgreSQL database, the Prefect test harness,
a stand-in portal, and settings that point into a temporary folder."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect's defaults for tests, set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

POSTGRES_ADMIN_URL = os.environ.get(
    "CHISO766_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the PostgreSQL server; skipped without one, except in CI where it fails."""
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means: no server here
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if _in_ci():
            pytest.fail(f"{message} (CI=true requires it)", pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"chiso766_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """The warehouse URL of each backend in turn: a SQLite file, then a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for every flow test of the session (it costs ~18 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def standin_url() -> Iterator[str]:
    """The bundled stand-in portal on a free port of 127.0.0.1."""
    from chiso766.standin import running_standin

    with running_standin() as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, standin_url: str):
    """Settings for a throwaway run: the stand-in, a SQLite file and an archive in tmp_path."""
    from chiso766.settings import Settings

    return Settings.from_env({}).with_overrides(
        portal_url=standin_url,
        database_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        data_dir=tmp_path,
        archive_dir=tmp_path / "archive",
        min_interval=0.0,
    )
