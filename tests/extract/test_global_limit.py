"""One request budget across processes: every request takes a slot of a Prefect global limit."""

import json
import subprocess
import sys

import httpx

from chiso766 import jobs
from extract.client import PortalClient
from extract.global_limit import global_slot_taker
from extract.politeness import Politeness


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"code": "OK", "data": {"items": []}, "message": "OK"})


def test_every_request_takes_a_slot_of_the_named_global_limit(monkeypatch):
    import prefect.concurrency.sync

    taken = []
    monkeypatch.setattr(
        prefect.concurrency.sync,
        "rate_limit",
        lambda names, occupy=1, timeout_seconds=None, strict=False: taken.append((names, strict)),
    )
    client = PortalClient(
        "http://portal.test",
        politeness=Politeness(0.0),
        transport=httpx.MockTransport(ok),
        global_slot=global_slot_taker("chiso766-portal"),
    )

    for _ in range(3):
        client.post("service-results", {}, scope="31", period="2026-01")

    assert taken == [("chiso766-portal", True)] * 3


def test_the_setting_turns_the_global_limit_on(settings):
    assert jobs.client_for(settings)._global_slot is None
    assert jobs.client_for(settings.with_overrides(global_limit="x"))._global_slot is not None
    assert global_slot_taker(None) is None and global_slot_taker("") is None


def test_a_fetch_without_the_setting_never_imports_prefect(settings):
    code = (
        "import sys, json; from chiso766 import jobs; from chiso766.settings import Settings; "
        "from chiso766.periods import Period; from chiso766.provinces import find_province; "
        f"s = Settings.from_env({{}}).with_overrides(portal_url={settings.portal_url!r}, "
        f"data_dir={str(settings.data_dir)!r}, archive_dir={str(settings.archive_dir)!r}, "
        "min_interval=0.0); "
        "a = jobs.fetch(s, find_province('31'), Period.parse('2026-01')); "
        "print(json.dumps(['prefect' in sys.modules, len(a.raw.body) > 0]))"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True]
