"""The shared request budget: an interval between request starts and a cap on concurrency."""

import threading

from extract.politeness import Politeness


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)


def test_consecutive_requests_are_spaced_by_the_interval():
    clock = FakeClock()
    budget = Politeness(1.5, 1, clock=clock, sleep=clock.sleep)

    for _ in range(4):
        with budget.slot():
            pass

    assert clock.slept == [1.5, 3.0, 4.5]
    assert budget.requests == 4


def test_retry_after_pushes_the_next_start_back():
    clock = FakeClock()
    budget = Politeness(0.5, 1, clock=clock, sleep=clock.sleep)
    with budget.slot():
        pass

    budget.wait(10)
    with budget.slot():
        pass

    assert clock.slept == [10]


def test_no_more_than_max_concurrency_requests_are_in_flight():
    budget = Politeness(0.0, 2)
    in_flight, peak = 0, 0
    lock, release = threading.Lock(), threading.Event()

    def request():
        nonlocal in_flight, peak
        with budget.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            release.wait(2)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    threading.Event().wait(0.3)
    release.set()
    for thread in threads:
        thread.join()

    assert peak == 2
