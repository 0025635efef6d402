"""The nightly run on simulated dates: the right periods, the final appendix, a block, no news.

The stand-in believes it is the simulated day (``create_app(today=...)``); captures still carry
the real clock's time, which is later than every simulated day here, so each observation's own
state is final — what these tests check is the plan: what is fetched and when files are written.
"""

import json
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from chiso766.standin import create_app, running_standin

pytestmark = pytest.mark.flow


def observed_periods(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT period FROM observation ORDER BY id")).scalars()
        periods = list(rows)
    engine.dispose()
    return periods


def night(settings, day: str, out_dir, provinces=("Hải Phòng",)):
    from flows.nightly import nightly

    with running_standin(app=create_app(today=date.fromisoformat(day))) as url:
        return nightly(
            day=day,
            provinces=list(provinces),
            out_dir=str(out_dir),
            settings=settings.with_overrides(portal_url=url),
            formats=("csv", "md"),
        )


def run_log(settings) -> list[dict]:
    lines = (settings.data_dir / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_night_mid_month_observes_the_running_month_quarter_and_year(
    prefect_harness, settings, tmp_path
):
    report = night(settings, "2026-10-15", tmp_path / "out")

    assert observed_periods(settings.database_url) == ["2026-10", "2026-Q4", "2026"]
    assert [r.outcome for r in report.results] == ["captured"] * 3
    assert report.files == [] and not (tmp_path / "out").exists()
    assert run_log(settings)[-1]["outcome"] == "done"


def test_a_month_finalises_after_its_grace_days_and_its_appendix_is_written(
    prefect_harness, settings, tmp_path
):
    out = tmp_path / "out"

    before = night(settings, "2026-10-05", out, provinces=("Hải Phòng", "Gia Lai"))
    on_the_day = night(settings, "2026-10-06", out, provinces=("Hải Phòng", "Gia Lai"))

    assert before.files == []
    assert [r.period for r in on_the_day.results if r.province == "Hải Phòng"] == [
        "2026-09", "2026-10", "2026-Q4", "2026",
    ]  # fmt: skip
    written = sorted(p.relative_to(out).as_posix() for p in on_the_day.files)
    assert written == [
        "2026-10-06/gia-lai/phu-luc-II_gia-lai_2026-09.csv",
        "2026-10-06/gia-lai/phu-luc-I_gia-lai_2026-09.csv",
        "2026-10-06/gia-lai/phu-luc_gia-lai_2026-09.md",
        "2026-10-06/hai-phong/phu-luc-II_hai-phong_2026-09.csv",
        "2026-10-06/hai-phong/phu-luc-I_hai-phong_2026-09.csv",
        "2026-10-06/hai-phong/phu-luc_hai-phong_2026-09.md",
    ]
    assert all(path.is_file() for path in on_the_day.files)


def test_a_night_that_finds_nothing_new_adds_no_rows(prefect_harness, settings, tmp_path):
    night(settings, "2026-10-15", tmp_path / "out")
    engine = create_engine(settings.database_url)
    count = "SELECT (SELECT COUNT(*) FROM observation), (SELECT COUNT(*) FROM score)"
    with engine.connect() as connection:
        rows_before = connection.execute(text(count)).one()

    again = night(settings, "2026-10-15", tmp_path / "out")

    with engine.connect() as connection:
        assert connection.execute(text(count)).one() == rows_before
    engine.dispose()
    assert again.nothing_new
    # "final" where the first capture's real time already makes it so, "identical" otherwise.
    assert {r.outcome for r in again.results} <= {"identical", "final"}
    assert run_log(settings)[-1]["outcome"] == "nothing new"


async def firewall(scope, receive, send):
    """An ASGI app that refuses everything as the portal's firewall does."""
    if scope["type"] != "http":
        return
    firewall.requests += 1
    body = (
        b"<html><head><title>Request Rejected</title></head><body>The requested URL was "
        b"rejected. Your support ID is: 1234567890</body></html>"
    )
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/html")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def test_a_block_stops_the_night_at_once_and_is_recorded(prefect_harness, settings, tmp_path):
    from flows.nightly import nightly

    firewall.requests = 0
    with running_standin(app=firewall) as url:
        report = nightly(
            day="2026-10-15",
            provinces=["Hải Phòng", "Gia Lai"],
            out_dir=str(tmp_path / "out"),
            settings=settings.with_overrides(portal_url=url),
        )

    assert firewall.requests == 1  # no retry, and no other province or period asked
    assert "Request Rejected" in report.blocked and report.results == []
    assert observed_periods(settings.database_url) == []
    record = run_log(settings)[-1]
    assert record["outcome"] == "blocked" and "support ID 1234567890" in record["reason"]
