"""One settings object, read from the environment at the edge (CLI, flows) and passed down.

- ``CHISO766_PORTAL_URL``: the portal's base URL (default ``https://dichvucong.gov.vn``);
- ``CHISO766_DATABASE_URL``: the warehouse as an SQLAlchemy URL (default: a SQLite file in the
  data folder);
- ``CHISO766_DATA_DIR``: where the default warehouse and raw archive live (default: the user's
  data folder, e.g. ``~/.local/share/chiso766``);
- ``CHISO766_ARCHIVE_DIR``: where every raw answer of the portal is kept (``<data dir>/archive``);
- ``CHISO766_MIN_INTERVAL``: seconds between two requests to the portal (default ``1.0``);
- ``CHISO766_MAX_CONCURRENCY``: requests in flight at once (default ``1``);
- ``CHISO766_MAX_RETRIES``: retries of a transient failure before giving up (default ``4``).
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
