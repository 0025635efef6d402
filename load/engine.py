"""Opening the warehouse: SQLite in a file by default, PostgreSQL by URL.

SQLite is opened with foreign keys on, write-ahead logging (readers never wait for a writer) and
a busy timeout, so a second writer waits its turn instead of failing.
"""

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from load.exceptions import DatabaseUrlError

SQLITE_BUSY_TIMEOUT_MS = 60_000


def parse_database_url(url: str) -> URL:
    """The URL parsed, or an input error that shows it without its password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUrlError(
            f"The database URL {redact(url)!r} is not understood; use e.g. "
            "sqlite:///path/to/warehouse.sqlite or postgresql://user@host/dbname."
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(
            f"The database URL {safe_url(parsed)!r} names {parsed.get_backend_name()!r}; "
            "chiso766 works with sqlite:// and postgresql:// only."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: URL | str) -> str:
    """The URL as it may be shown or logged: never with its password."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (ArgumentError, ValueError):
            return redact(url)
    return url.render_as_string(hide_password=True)


def redact(text: str) -> str:
    """Hide a password in something that looks like ``scheme://user:password@host``."""
    head, sep, tail = text.partition("://")
    if not sep or "@" not in tail:
        return text
    credentials, _, rest = tail.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{head}://{user}:***@{rest}" if ":" in credentials else text


def open_engine(url: str) -> Engine:
    """An engine for ``url``, creating a SQLite file's folder if needed."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        except NoSuchModuleError:
            raise DatabaseUrlError(f"No driver for {safe_url(parsed)!r}.") from None
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise DatabaseUrlError(f"No driver for {safe_url(parsed)!r}.") from None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
