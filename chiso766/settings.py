"""One settings object, read from the environment at the edge (CLI, flows) and passed down.

- ``CHISO766_PORTAL_URL``: the portal's base URL (default ``https://dichvucong.gov.vn``);
- ``CHISO766_DATABASE_URL``: the warehouse as an SQLAlchemy URL (default: a SQLite file in the
  data folder);
- ``CHISO766_DATA_DIR``: where the default warehouse and raw archive live (default: the user's
  data folder, e.g. ``~/.local/share/chiso766``);
- ``CHISO766_ARCHIVE_DIR``: where every raw answer of the portal is kept (``<data dir>/archive``);
- ``CHISO766_MIN_INTERVAL``: seconds between two requests to the portal (default ``1.0``);
- ``CHISO766_MAX_CONCURRENCY``: requests in flight at once (default ``1``);
- ``CHISO766_MAX_RETRIES``: retries of a transient failure before giving up (default ``4``);
- ``CHISO766_READ_TIMEOUT``: seconds to wait for each part of an answer (default ``45``);
- ``CHISO766_BACKOFF_BASE``: seconds before the first retry, doubled after each (default ``1``);
- ``CHISO766_GLOBAL_LIMIT``: the name of a Prefect global concurrency limit every request also
  takes, to share one budget across processes and machines (default: none);
- ``CHISO766_NIGHTLY_PROVINCES``: the provinces of the nightly run, comma-separated, or ``all``
  (default ``Hải Phòng``);
- ``CHISO766_NIGHTLY_HOUR``: the hour (Vietnam) at which ``nightly serve`` runs (default ``3``).
"""

import os
from dataclasses import dataclass, replace
from pathlib import Path

from platformdirs import user_data_path

from chiso766.errors import InputError

REAL_PORTAL_URL = "https://dichvucong.gov.vn"


@dataclass(frozen=True)
class Settings:
    portal_url: str
    database_url: str
    data_dir: Path
    archive_dir: Path
    min_interval: float = 1.0
    max_concurrency: int = 1
    connect_timeout: float = 10.0
    read_timeout: float = 45.0
    max_retries: int = 4
    backoff_base: float = 1.0  # seconds before the first retry, doubled after each failure
    backoff_cap: float = 30.0
    global_limit: str | None = None
    nightly_provinces: str = "Hải Phòng"
    nightly_hour: int = 3

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("CHISO766_DATA_DIR") or user_data_path("chiso766"))
        return cls(
            portal_url=env.get("CHISO766_PORTAL_URL") or REAL_PORTAL_URL,
            database_url=env.get("CHISO766_DATABASE_URL")
            or f"sqlite:///{data_dir / 'warehouse.sqlite'}",
            data_dir=data_dir,
            archive_dir=Path(env.get("CHISO766_ARCHIVE_DIR") or data_dir / "archive"),
            min_interval=_number(env, "CHISO766_MIN_INTERVAL", 1.0),
            max_concurrency=int(_number(env, "CHISO766_MAX_CONCURRENCY", 1)),
            max_retries=int(_number(env, "CHISO766_MAX_RETRIES", 4)),
            read_timeout=_number(env, "CHISO766_READ_TIMEOUT", 45.0),
            backoff_base=_number(env, "CHISO766_BACKOFF_BASE", 1.0),
            global_limit=env.get("CHISO766_GLOBAL_LIMIT") or None,
            nightly_provinces=env.get("CHISO766_NIGHTLY_PROVINCES") or "Hải Phòng",
            nightly_hour=_hour(env.get("CHISO766_NIGHTLY_HOUR")),
        )

    def with_overrides(self, **changes: object) -> "Settings":
        """These settings with the given fields replaced, ignoring those given as None."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _number(env, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{name} must be a number of seconds or requests, not {raw!r}.") from None
    if value < 0:
        raise InputError(f"{name} must not be negative, not {raw!r}.")
    return value


def _hour(raw: str | None) -> int:
    if raw in (None, ""):
        return 3
    if not raw.strip().isdigit() or not 0 <= int(raw) <= 23:
        raise InputError(f"CHISO766_NIGHTLY_HOUR must be an hour from 0 to 23, not {raw!r}.")
    return int(raw)
