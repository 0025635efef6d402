"""Killed captures and backfills leave no partial observation; concurrent writers wait their turn.

The commands run as real processes (``python -m chiso766 …``) against a stand-in in this process
that answers a little slowly, and are killed with SIGKILL after a seeded random delay counted
from their first request, so that the kills land while waiting for the portal, parsing, storing
or printing. Each process captures its own province, so that many run at once.
"""

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import all_provinces, find_province
from chiso766.standin import create_app, running_standin

JANUARY = Period.parse("2026-01")
KILLS = 20  # at least this many processes must die mid-run
RUNS = 24
BACKFILL_KILLS = 4
SEED = 766


class Watched:
    """The stand-in, answering after ``delay`` s and noting when each province is first asked."""

    def __init__(self, delay: float, *, pair_up: bool = False):
        self.app = create_app()
        self.delay = delay
        self.first_request: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.pair_up = pair_up  # hold each request until a second one has come
        self.arrived = 0

    def event(self, portal_id: str) -> threading.Event:
        with self.lock:
            return self.first_request.setdefault(portal_id, threading.Event())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages, more = [], True
        while more:
            message = await receive()
            messages.append(message)
            more = message.get("more_body", False)
        body = b"".join(m.get("body", b"") for m in messages)
        root = json.loads(body or b"{}").get("rootDepartmentId")
        if root:
            self.event(str(root)).set()
        with self.lock:
            self.arrived += 1
        deadline = time.monotonic() + 20
        while self.pair_up and self.arrived < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(self.delay)

        async def replay():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        await self.app(scope, replay, send)


@pytest.fixture
def prefect_env(prefect_harness, tmp_path) -> dict[str, str]:
    """The environment of a child process: this session's Prefect server, no user settings."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO766_")}
    env.update(
        PREFECT_API_URL=PREFECT_API_URL.value(),
        CHISO766_DATA_DIR=str(tmp_path),
        CHISO766_MIN_INTERVAL="0",
    )
    return env


def invariants(db: Path) -> list[str]:
    """What is wrong with the warehouse: observations missing score rows, orphan captures."""
    with sqlite3.connect(db) as connection:
        partial = connection.execute(
            "SELECT o.id, o.departments + o.communes, COUNT(s.position) FROM observation o "
            "LEFT JOIN score s ON s.observation_id = o.id GROUP BY o.id "
            "HAVING o.departments + o.communes != COUNT(s.position)"
        ).fetchall()
        orphans = connection.execute(
            "SELECT c.id FROM capture c WHERE c.endpoint = 'service-results' "
            "AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.capture_id = c.id)"
        ).fetchall()
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return (
        [f"observation {i} has {n} score rows of {want}" for i, want, n in partial]
        + [f"capture {i} has no observation" for (i,) in orphans]
        + ([] if integrity == "ok" else [integrity])
    )


# A parent that imports chiso766 once and forks one child per command line it reads: each child
# runs ``python -m chiso766`` 's main at once, instead of spending seconds on imports first.
ZYGOTE = """
import json, os, signal, sys
import flows.backfill, flows.capture
from chiso766.cli import main
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1), os.dup2(null, 2)
        os._exit(main(json.loads(line)))
    print(pid, flush=True)
"""


def _kill_after_first_request(pid: int, event: threading.Event, delay: float) -> str:
    if not event.wait(60):
        os.kill(pid, signal.SIGKILL)
        return "never asked"
    time.sleep(delay)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return "finished"
    return "killed"


def test_killed_captures_and_backfills_leave_no_partial_observation(
    prefect_env, tmp_path, settings
):
    rng = random.Random(SEED)
    db = tmp_path / "warehouse.sqlite"
    url_db = f"sqlite:///{db}"
    jobs.open_warehouse(settings.with_overrides(database_url=url_db)).close()  # schema first
    # Runs go on, one province each, until KILLS of them died mid-run: on a loaded machine
    # some finish before their kill lands, and those do not count.
    provinces = [p for p in all_provinces() if p.code != "31"]
    planned = [("backfill", p) for p in provinces[:BACKFILL_KILLS]] + [
        ("capture", p) for p in provinces[BACKFILL_KILLS:]
    ]
    runs: list = []
    watched = Watched(delay=0.3)
    outcomes: list[str] = []
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE], env=prefect_env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        with running_standin(app=watched) as url:
            for command, province in planned:
                if len(runs) >= RUNS and outcomes.count("killed") >= KILLS:
                    break
                runs.append((command, province))
                when = ["--period", "2026-01"] if command == "capture" else [
                    "--from", "2026-01", "--to", "2026-03"]  # fmt: skip
                argv = [command, "--province", province.code, *when, "--portal", url,
                        "--db", url_db]  # fmt: skip
                zygote.stdin.write(json.dumps(argv) + "\n")
                zygote.stdin.flush()
                pid = int(zygote.stdout.readline())
                event = watched.event(province.portal_id)
                outcomes.append(_kill_after_first_request(pid, event, rng.uniform(0, 0.9)))

            assert invariants(db) == []
            assert outcomes.count("killed") >= KILLS, outcomes

            rerun = settings.with_overrides(portal_url=url, database_url=url_db)
            for _command, province in runs:
                assert jobs.capture(rerun, province, JANUARY).communes > 0
    finally:
        zygote.stdin.close()
        zygote.wait(30)

    assert invariants(db) == []
    with sqlite3.connect(db) as connection:
        per_province = dict(
            connection.execute(
                "SELECT province_code, COUNT(*) FROM observation WHERE period = '2026-01' "
                "GROUP BY province_code"
            ).fetchall()
        )
    assert per_province == {p.code: 1 for _c, p in runs}
    print(f"kills: {outcomes.count('killed')} of {len(outcomes)}; outcomes {outcomes}")


def test_two_processes_capturing_the_same_period_end_with_one_observation(tmp_path, settings):
    db = tmp_path / "warehouse.sqlite"
    url_db = f"sqlite:///{db}"
    jobs.open_warehouse(settings.with_overrides(database_url=url_db)).close()
    watched = Watched(delay=0.2, pair_up=True)
    code = (
        "import sys; from chiso766 import jobs; from chiso766.settings import Settings;"
        "from chiso766.provinces import find_province; from chiso766.periods import Period;"
        "s = Settings.from_env().with_overrides(portal_url=sys.argv[1], database_url=sys.argv[2],"
        " min_interval=0.0);"
        "r = jobs.capture(s, find_province('31'), Period.parse('2026-01'));"
        "print(r.stored.observation_id, r.stored.created)"
    )
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CHISO766_")},
           "CHISO766_DATA_DIR": str(tmp_path)}  # fmt: skip
    with running_standin(app=watched) as url:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", code, url, url_db],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for _ in range(2)
        ]
        results = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0, 0], results
    stored = sorted(out.split() for out, _ in results)
    assert stored[0][0] == stored[1][0]  # the same observation
    assert sorted(flag for _, flag in stored) == ["False", "True"]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM observation").fetchone() == (1,)
    assert invariants(db) == []


def test_a_warehouse_locked_by_another_writer_is_waited_for(settings, tmp_path):
    jobs.open_warehouse(settings).close()
    db = settings.database_url.removeprefix("sqlite:///")
    locked, release = threading.Event(), threading.Event()

    def hold_a_write_lock():
        connection = sqlite3.connect(db, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE province SET name = name WHERE code = '31'")
        locked.set()
        release.wait(1.0)
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=hold_a_write_lock)
    holder.start()
    locked.wait(5)
    started = time.monotonic()
    report = jobs.capture(settings, find_province("31"), JANUARY)
    waited = time.monotonic() - started
    holder.join()

    assert report.stored.created and waited >= 0.5
    assert invariants(Path(db)) == []
