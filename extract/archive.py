"""The raw archive: every answer of the portal, byte for byte, before anything parses it.

Layout under the archive root::

    <scope>/<period>/<endpoint>/<captured_at>-<sha256 prefix>.body   the bytes as received
    <scope>/<period>/<endpoint>/<captured_at>-<sha256 prefix>.json   request, status, headers, hash

``scope`` is the province's official code, or ``national``. Files are written under a temporary
name and renamed, so a crash never leaves half a capture; nothing is ever overwritten.
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RawAnswer:
    """One answer of the portal as received, and where it is kept."""

    endpoint: str
    url: str
    request_body: dict[str, Any]
    status: int
    content_type: str
    body: bytes = field(repr=False)
    sha256: str
    captured_at: datetime
    scope: str = "national"
    period: str = ""
    path: Path | None = None

    def meta(self) -> dict[str, Any]:
        """The answer's description as stored beside its body (everything but the bytes)."""
        meta = asdict(self)
        del meta["body"]
        meta["captured_at"] = self.captured_at.isoformat()
        meta["path"] = None
        meta["bytes"] = len(self.body)
        return meta


def sha256_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


class Archive:
    """Keeps raw answers under ``root``; ``Archive(None)`` keeps nothing (for throwaway runs)."""

    def __init__(self, root: Path | str | None):
        self.root = Path(root) if root is not None else None

    def store(self, answer: RawAnswer) -> RawAnswer:
        """Write the answer's body and description; return it with its ``path`` set."""
        if self.root is None:
            return answer
        folder = self.root / answer.scope / (answer.period or "-") / answer.endpoint
        folder.mkdir(parents=True, exist_ok=True)
        stamp = answer.captured_at.strftime("%Y%m%dT%H%M%S%fZ")
        stem = f"{stamp}-{answer.sha256[:12]}"
        body_path = folder / f"{stem}.body"
        _write_atomically(body_path, answer.body)
        meta = answer.meta()
        meta["path"] = body_path.name
        _write_atomically(
            folder / f"{stem}.json",
            json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"),
        )
        return RawAnswer(**{**answer.__dict__, "path": body_path})


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
