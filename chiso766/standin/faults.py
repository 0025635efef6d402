"""Fault mode of the stand-in: the ways the real portal fails, on purpose and reproducibly.

``FaultyApp`` wraps the stand-in's ASGI app and, for each API request, asks its ``FaultPlan``
whether a fault hits it. A ``Fault`` names a kind, the probability that it hits a request (1 by
default: every request), at most how many requests it may hit, and the endpoints it applies to
(all of them by default). The plan draws from one seeded random generator, so the same seed and
the same requests give the same faults.

Kinds, in the groups the client must tell apart:

- transient — ``timeout`` (the answer comes after ``delay`` seconds), ``hang`` (headers come, the
  body stalls for ``delay`` seconds), ``reset`` (the connection is aborted without an answer),
  ``500``, ``502``, ``503``, ``503-retry-after`` (with ``Retry-After``);
- blocks — ``401``, ``403``, ``429``, ``waf`` (the firewall's HTML page with status 200);
- malformed or inconsistent data — ``truncated``, ``invalid-json``, ``not-ok``,
  ``missing-field``, ``renamed-field``, ``wrong-root``, ``duplicate-unit``, ``empty``,
  ``out-of-range``;
- tolerated — ``extra-field`` (every unit row gains a field the client does not know).
"""

import asyncio
import contextlib
import copy
import json
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from chiso766.errors import InputError
from chiso766.provinces import all_provinces

API_PREFIX = "/api/v1/reporting/evaluation/"

TRANSIENT = ("timeout", "hang", "reset", "500", "502", "503", "503-retry-after")
BLOCKS = ("401", "403", "429", "waf")
MALFORMED = (
    "truncated",
    "invalid-json",
    "not-ok",
    "missing-field",
    "renamed-field",
    "wrong-root",
    "duplicate-unit",
    "empty",
    "out-of-range",
)
TOLERATED = ("extra-field",)
FAULT_KINDS = TRANSIENT + BLOCKS + MALFORMED + TOLERATED

# Longer than the client's 45 s read timeout, so that ``timeout`` and ``hang`` are timeouts.
DEFAULT_DELAY = 50.0
EXTRA_FIELD = "rankingNote"  # a field the portal might add one day; the client must ignore it
WAF_PAGE = (
    "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. "
    "Please consult with your administrator.<br><br>Your support ID is: {support_id}"
    "<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>"
)


@dataclass(frozen=True)
class Fault:
    """One kind of fault, how likely it hits a request, how often at most, and where."""

    kind: str
    probability: float = 1.0
    count: int | None = None  # at most this many requests; None: no limit
    endpoints: frozenset[str] | None = None  # e.g. {"service-results"}; None: every endpoint

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise InputError(
                f"The fault {self.kind!r} is not known; choose from {', '.join(FAULT_KINDS)}."
            )
        if not 0.0 <= self.probability <= 1.0:
            raise InputError(
                f"The probability of the fault {self.kind} must be from 0 to 1, "
                f"not {self.probability}."
            )

    @classmethod
    def parse(cls, text: str) -> "Fault":
        """A fault written ``KIND`` or ``KIND=PROBABILITY`` (``503=0.3``)."""
        kind, sep, probability = text.strip().partition("=")
        if not sep:
            return cls(kind)
        try:
            return cls(kind, float(probability))
        except ValueError:
            raise InputError(
                f"The fault {text!r} has no usable probability; write e.g. {kind}=0.3."
            ) from None


class FaultPlan:
    """Which fault hits which request, drawn from one generator seeded with ``seed``."""

    def __init__(
        self,
        faults: Iterable[Fault],
        *,
        seed: int | None = None,
        delay: float = DEFAULT_DELAY,
        retry_after: int = 1,
    ):
        self.faults = tuple(faults)
        self.delay = delay
        self.retry_after = retry_after
        self.hits: Counter[str] = Counter()
        self.requests = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self, endpoint: str) -> str | None:
        """The kind of fault that hits the next request to ``endpoint``, or None."""
        with self._lock:
            self.requests += 1
            for fault in self.faults:
                if fault.endpoints is not None and endpoint not in fault.endpoints:
                    continue
                if fault.count is not None and self.hits[fault.kind] >= fault.count:
                    continue
                if fault.probability >= 1.0 or self._random.random() < fault.probability:
                    self.hits[fault.kind] += 1
                    return fault.kind
            return None

    def pick(self, size: int) -> int:
        """A seeded choice of one row among ``size``, for the faults that spoil one row."""
        with self._lock:
            return self._random.randrange(size)


class FaultyApp:
    """ASGI middleware: the stand-in ``app``, with the faults of ``plan`` on its API calls."""

    def __init__(self, app: ASGIApp, plan: FaultPlan):
        self.app = app
        self.plan = plan
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        kind = self.plan.draw(path[len(API_PREFIX) :])
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "timeout":
            await asyncio.sleep(self.plan.delay)
            await self.app(scope, receive, send)
        elif kind == "reset":
            await _reset(send)
        elif kind in ("500", "502", "503", "503-retry-after", "401", "403", "429", "waf"):
            await _status_answer(kind, self.plan.retry_after, send)
        else:
            status, headers, body = await _inner_answer(self.app, scope, receive)
            if kind == "hang":
                await _send(send, status, headers, body, stall=self.plan.delay)
            else:
                await _send(send, status, headers, spoil(kind, body, self.plan.pick))


async def _inner_answer(app: ASGIApp, scope: Scope, receive: Receive):
    """Run the stand-in and collect its whole answer instead of sending it."""
    status, headers, chunks = 500, [], []

    async def collect(message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, collect)
    return status, headers, b"".join(chunks)


async def _send(send: Send, status: int, headers, body: bytes, *, stall: float = 0.0) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    if stall:
        await send({"type": "http.response.body", "body": body[:1], "more_body": True})
        await asyncio.sleep(stall)
        body = body[1:]
    await send({"type": "http.response.body", "body": body})


async def _status_answer(kind: str, retry_after: int, send: Send) -> None:
    json_type = (b"content-type", b"application/json; charset=utf-8")
    if kind == "waf":
        page = WAF_PAGE.format(support_id="1234567890123456789").encode()
        await _send(send, 200, [(b"content-type", b"text/html; charset=utf-8")], page)
        return
    status = int(kind.split("-")[0])
    headers = [json_type]
    if kind == "503-retry-after":
        headers.append((b"retry-after", str(retry_after).encode()))
    body = json.dumps({"code": "ERROR", "message": f"stand-in fault {kind}"}).encode()
    await _send(send, status, headers, body)


async def _reset(send: Send) -> None:
    """Abort the connection without a byte of answer (an RST where the socket allows it).

    ASGI gives no handle on the connection; uvicorn's ``send`` is a method of its
    request-response cycle, whose ``transport`` is the connection. Without one (another
    server), the fault falls back to an exception, which the server answers with HTTP 500.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("stand-in fault reset: no transport to abort")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Without SO_LINGER the close is a plain FIN: the client still gets no answer.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0.01)  # let the server notice the lost connection before returning


def spoil(kind: str, body: bytes, pick=lambda size: 0) -> bytes:
    """The answer ``body`` spoiled the way ``kind`` says; ``pick(n)`` chooses the row."""
    if kind == "truncated":
        return body[: max(1, len(body) // 2)]
    if kind == "invalid-json":
        return b"{'code': 'OK', 'data': None}"
    if kind == "not-ok":
        message = "Hệ thống đang bận, vui lòng thử lại sau."
        return _dump({"code": "SYSTEM_ERROR", "data": None, "message": message})
    payload = json.loads(body)
    data = payload.get("data") or {}
    rows_key = "children" if "children" in data else "evaluation"
    rows: list[dict[str, Any]] = data.get(rows_key) or []
    if kind == "empty":
        data[rows_key] = []
    elif kind == "wrong-root":
        own = data.get("parent") or data.get("overview") or {}
        other = next(p for p in all_provinces() if p.portal_id != own.get("departmentId"))
        if own.get("departmentCode") == other.portal_code:
            other = next(p for p in all_provinces() if p.portal_code != other.portal_code)
        own.update(
            departmentId=other.portal_id,
            departmentCode=other.portal_code,
            departmentName=f"UBND {other.name}",
        )
    elif rows and kind == "extra-field":
        for row in rows:
            row[EXTRA_FIELD] = "stand-in extra field"
    elif rows:
        index = pick(len(rows))
        row = rows[index]
        score_key = "score" if "score" in row else "totalScore"
        if kind == "missing-field":
            del row[score_key]
        elif kind == "renamed-field":
            row["total_score" if score_key == "totalScore" else "score_value"] = row.pop(score_key)
        elif kind == "duplicate-unit":
            rows.insert(index + 1, copy.deepcopy(row))
        elif kind == "out-of-range":
            row[score_key] = 150
    return _dump(payload)


def _dump(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
