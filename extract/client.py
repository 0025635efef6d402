"""A polite HTTP client for the portal's current API (``/api/v1/reporting/evaluation/…``).

Settings (all explicit parameters, read by the caller from ``chiso766.settings.Settings``):

- ``min_interval`` / ``max_concurrency``: the host's shared request budget (``politeness``);
- ``connect_timeout`` / ``read_timeout``: 10 s and 45 s, as the crawlers that kept working used;
- ``max_retries``: how many times a transient failure (a network error, a timeout, HTTP 5xx) is
  retried, with exponential backoff and jitter, honouring ``Retry-After``.

A block — HTTP 401, 403, 429, or any HTML page, whatever its status — stops at once: retrying a
firewall's refusal only prolongs it. Every answer, good or bad, is archived raw with its SHA-256
before it is parsed.
"""

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from extract.archive import Archive, RawAnswer, sha256_of, utc_now
from extract.exceptions import PortalAnswerError, PortalBlocked, PortalUnreachable
from extract.politeness import Politeness, politeness_for
from extract.waf import describe_block_page, looks_like_html

logger = logging.getLogger(__name__)

API_PATH = "/api/v1/reporting/evaluation/"
BLOCK_STATUSES = frozenset({401, 403, 429})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A Retry-After longer than this is not waited for: the run stops and says so instead.
MAX_RETRY_AFTER = 120.0
USER_AGENT = "chiso766/0.1 (+Bo chi so 766 notice tables; polite, sequential)"


@dataclass(frozen=True)
class Answer:
    """A validated answer: the raw capture and its decoded ``data`` object."""

    raw: RawAnswer
    data: dict[str, Any]
    payload: dict[str, Any]


class PortalClient:
    """Sends POST requests to the portal's API, politely, and archives every answer."""

    def __init__(
        self,
        base_url: str,
        *,
        archive: Archive | None = None,
        min_interval: float = 1.0,
        max_concurrency: int = 1,
        connect_timeout: float = 10.0,
        read_timeout: float = 45.0,
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        politeness: Politeness | None = None,
        global_slot: Callable[[], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.archive = archive or Archive(None)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.politeness = politeness or politeness_for(self.host, min_interval, max_concurrency)
        self._sleep = sleep
        # Taken before each request when a budget is shared across processes (global_limit.py).
        self._global_slot = global_slot
        self._http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                "Referer": "https://dichvucong.gov.vn/danh-gia-chat-luong-phuc-vu",
            },
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> "PortalClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def post(self, endpoint: str, body: dict[str, Any], *, scope: str, period: str) -> Answer:
        """POST ``body`` to an evaluation endpoint and return its validated ``data``."""
        url = f"{self.base_url}{API_PATH}{endpoint}"
        subject = f"{endpoint} for {scope} {period}"
        failures = 0
        while True:
            try:
                if self._global_slot is not None:
                    self._global_slot()
                with self.politeness.slot():
                    response = self._http.post(url, json=body)
            except httpx.TransportError as error:
                failures += 1
                reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                self._retry_or_give_up(subject, failures, reason, retry_after=None)
                continue

            # A replayed answer keeps its original capture time and file and is not archived
            # again: replaying must leave the archive as it was.
            replayed = response.extensions.get("replayed")
            raw = RawAnswer(
                endpoint=endpoint,
                url=replayed.url if replayed else url,
                request_body=body,
                status=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=response.content,
                sha256=sha256_of(response.content),
                captured_at=replayed.captured_at if replayed else utc_now(),
                scope=scope,
                period=period,
                path=replayed.body_path if replayed else None,
            )
            if not replayed:
                raw = self.archive.store(raw)
            self._stop_on_block(raw, subject)
            if response.status_code in RETRY_STATUSES:
                failures += 1
                retry_after = _retry_after_seconds(response.headers.get("retry-after"))
                self._retry_or_give_up(
                    subject, failures, f"HTTP {response.status_code}", retry_after=retry_after
                )
                continue
            return _validated(raw, subject)

    def _stop_on_block(self, raw: RawAnswer, subject: str) -> None:
        is_html = looks_like_html(raw.content_type, raw.body)
        if raw.status not in BLOCK_STATUSES and not is_html:
            return
        title, support_id = describe_block_page(raw.body) if is_html else ("", "")
        details = ", ".join(
            part for part in (title, f"support ID {support_id}" if support_id else "") if part
        )
        what = f"HTTP {raw.status}" + (" with an HTML page" if is_html else "")
        logger.info("Portal blocked %s: %s %s", subject, what, details)
        raise PortalBlocked(
            f"The portal's firewall refused {subject} ({what}"
            + (f": {details}" if details else "")
            + "); the run stopped without retrying. Wait some hours before trying again, "
            "and use a longer --min-interval.",
            status=raw.status,
            title=title,
            support_id=support_id,
        )

    def _retry_or_give_up(
        self, subject: str, failures: int, reason: str, *, retry_after: float | None
    ) -> None:
        if failures > self.max_retries:
            raise PortalUnreachable(
                f"The portal at {self.host} did not answer {subject} after {failures} attempts "
                f"({reason}); check the network or the --portal address, or try again later."
            )
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            raise PortalUnreachable(
                f"The portal at {self.host} asked to wait {retry_after:.0f} s before {subject} "
                f"({reason}); try again later."
            )
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (failures - 1))
        delay *= random.uniform(0.5, 1.0)
        if retry_after is not None:
            delay = max(delay, retry_after)
            self.politeness.wait(retry_after)
        logger.info(
            "Retrying %s (failed %d times): %s; next try in %.1f s",
            subject, failures, reason, delay,
        )  # fmt: skip
        self._sleep(delay)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare on APIs; the exponential backoff applies instead


def _validated(raw: RawAnswer, subject: str) -> Answer:
    """Decode the envelope ``{"code": "OK", "data": {...}}`` or say what is wrong with it."""
    if raw.status not in (200, 201):
        raise PortalAnswerError(
            f"The portal answered {subject} with HTTP {raw.status}; "
            f"the raw answer is kept at {raw.path or 'no archive'}."
        )
    try:
        payload = json.loads(raw.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise PortalAnswerError(
            f"The portal's answer to {subject} is not valid JSON ({len(raw.body)} bytes, "
            f"perhaps truncated: {error}); the raw answer is kept at {raw.path or 'no archive'}."
        ) from None
    if not isinstance(payload, dict) or payload.get("code") != "OK":
        code = payload.get("code") if isinstance(payload, dict) else type(payload).__name__
        raise PortalAnswerError(
            f"The portal answered {subject} with code {code!r} instead of 'OK'; "
            f"the raw answer is kept at {raw.path or 'no archive'}."
        )
    data = payload.get("data")
    if not isinstance(data, dict):
        raise PortalAnswerError(
            f"The portal's answer to {subject} has no 'data' object; "
            f"the raw answer is kept at {raw.path or 'no archive'}."
        )
    return Answer(raw=raw, data=data, payload=payload)
