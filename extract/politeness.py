"""One request budget per portal host, shared by every client in the process.

Politeness belongs to the client, not to whoever calls it: however many flows, tasks or threads
fetch at once, requests to one host leave at most ``max_concurrency`` at a time and never closer
together than ``min_interval`` seconds. The interval is measured between the *starts* of requests
and is never shortened after an error: a portal that failed is not one to hurry.

Across processes or machines this budget is not shared; the README shows how a Prefect global
concurrency limit takes its place there.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Politeness:
    """A minimum interval between request starts and a cap on requests in flight."""

    def __init__(
        self,
        min_interval: float = 1.0,
        max_concurrency: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.min_interval = float(min_interval)
        self.max_concurrency = max(1, int(max_concurrency))
        self._slots = threading.BoundedSemaphore(self.max_concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._clock = clock
        self._sleep = sleep
        self.requests = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one request slot, waiting for the interval and for a free slot first."""
        with self._slots:
            with self._lock:
                now = self._clock()
                start = max(now, self._next_start)
                self._next_start = start + self.min_interval
                self.requests += 1
            if start > now:
                self._sleep(start - now)
            yield

    def wait(self, seconds: float) -> None:
        """Push the next request start back, e.g. for a ``Retry-After`` the portal asked for."""
        with self._lock:
            self._next_start = max(self._next_start, self._clock() + seconds)


_shared: dict[str, Politeness] = {}
_shared_lock = threading.Lock()


def politeness_for(host: str, min_interval: float, max_concurrency: int) -> Politeness:
    """The process-wide budget for ``host``; the strictest settings asked for so far win."""
    with _shared_lock:
        budget = _shared.get(host)
        if budget is None:
            budget = _shared[host] = Politeness(min_interval, max_concurrency)
        else:
            budget.min_interval = max(budget.min_interval, float(min_interval))
        return budget


def forget_budgets() -> None:
    """Drop every shared budget (for tests that need a fresh one)."""
    with _shared_lock:
        _shared.clear()
