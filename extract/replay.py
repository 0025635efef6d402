"""Replaying the raw archive: an ``httpx`` transport that answers from archived answers.

``ReplayTransport(root)`` answers a POST to an evaluation endpoint with the archived answer whose
endpoint and request body equal the request's: its status, content type and exact bytes. By
default the newest such answer; with ``in_turn=True`` each matching answer once, oldest first.
The response carries the original capture time and file in ``extensions["replayed"]``, so that
the client stores the capture as it was first made and does not archive it a second time.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from extract.exceptions import PortalError

logger = logging.getLogger(__name__)

REPLAY_SCHEME = "replay:"
# The base URL a replaying client uses; nothing is ever sent to it.
REPLAY_BASE_URL = "http://archive.replay"


@dataclass(frozen=True)
class Replayed:
    """Where a replayed answer comes from."""

    captured_at: datetime
    body_path: Path
    url: str  # the portal's address the answer came from


@dataclass(frozen=True)
class ArchivedAnswer:
    meta: dict[str, Any]
    body_path: Path

    @property
    def captured_at(self) -> datetime:
        return datetime.fromisoformat(self.meta["captured_at"])

    def read(self) -> bytes:
        return self.body_path.read_bytes()


def archive_root(portal_url: str) -> Path | None:
    """The archive folder of a ``replay:DIR`` portal URL, or None for a real portal."""
    if not portal_url.startswith(REPLAY_SCHEME):
        return None
    return Path(portal_url[len(REPLAY_SCHEME) :]).expanduser()


def archived_answers(root: Path, endpoint: str = "*") -> list[ArchivedAnswer]:
    """Every answer archived under ``root`` (for ``endpoint``), oldest capture first."""
    answers = []
    for meta_path in root.glob(f"*/*/{endpoint}/*.json"):
        meta = json.loads(meta_path.read_text("utf-8"))
        answers.append(ArchivedAnswer(meta, meta_path.with_suffix(".body")))
    return sorted(answers, key=lambda a: (a.captured_at, a.body_path.name))


class ReplayTransport(httpx.BaseTransport):
    """Answers every request from the archive at ``root``; never touches the network."""

    def __init__(self, root: Path | str, *, in_turn: bool = False):
        self.root = Path(root)
        self.in_turn = in_turn
        self._served: set[Path] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        endpoint = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        body = json.loads(request.content or b"null")
        candidates = [
            answer
            for answer in archived_answers(self.root, endpoint)
            if answer.meta.get("request_body") == body and answer.meta.get("endpoint") == endpoint
        ]
        if self.in_turn:
            candidates = [a for a in candidates if a.body_path not in self._served]
        if not self.root.is_dir() or not candidates:
            shown = json.dumps(body, ensure_ascii=False, sort_keys=True)
            raise PortalError(
                f"The archive at {self.root} holds no answer for {endpoint} {shown}; "
                "capture it from the portal first or choose another archive."
            )
        answer = candidates[0] if self.in_turn else candidates[-1]
        self._served.add(answer.body_path)
        logger.debug("replaying %s for %s from %s", endpoint, body, answer.body_path)
        return httpx.Response(
            answer.meta["status"],
            headers={"content-type": answer.meta.get("content_type", "")},
            content=answer.read(),
            request=request,
            extensions={
                "replayed": Replayed(answer.captured_at, answer.body_path, answer.meta["url"])
            },
        )
