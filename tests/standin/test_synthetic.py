"""The stand-in generates plausible, deterministic rankings for every province and period."""

import asyncio
import hashlib
import subprocess
import sys
from datetime import date, timedelta

import httpx
import pytest

from chiso766.cli import main
from chiso766.periods import Period
from chiso766.provinces import all_provinces, find_province
from chiso766.standin import (
    SERVICE_RESULTS_PATH,
    SYNTHETIC_HEADER,
    bundled_dataset,
    create_app,
    running_standin,
)
from chiso766.standin.synthetic import REVISION_DAYS, SYNTHETIC_SOURCE
from transform.ranking import parse_ranking
from transform.units import match_units, official_communes, seed_departments

TODAY = date(2026, 10, 15)
HAI_PHONG = find_province("Hải Phòng")
MONTHS = [Period(2026, "month", number) for number in range(1, TODAY.month + 1)]
NATIONAL = {"departmentType": "ADMINISTRATIVE_UNIT"}


def body(province, period: Period) -> dict:
    scope = {"rootDepartmentId": province.portal_id} if province else NATIONAL
    return {**period.portal_fields(), **scope}


class InProcess:
    """The app called without a socket, for the tests that ask hundreds of questions.

    Each answer over TCP takes some 40 ms however fast the app is; the app is the same.
    """

    def __init__(self, today: date):
        self.app = create_app(today=today)

    def post(self, path: str, json: dict, timeout: float) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://standin") as client:
                return await client.post(path, json=json, timeout=timeout)

        return asyncio.run(call())


@pytest.fixture(scope="module")
def client() -> InProcess:
    """The stand-in believing it is ``TODAY``."""
    return InProcess(TODAY)


def ask(client: httpx.Client | InProcess, province, period: Period) -> httpx.Response:
    answer = client.post(SERVICE_RESULTS_PATH, json=body(province, period), timeout=10)
    assert answer.status_code == 201
    return answer


def scores(client: httpx.Client | InProcess, province, period: Period) -> dict[str, float]:
    """Every unit's score, by departmentId."""
    rows = ask(client, province, period).json()["data"]["evaluation"]
    return {row["departmentId"]: row["totalScore"] for row in rows}


def scores_on(day: date, province, period: Period) -> dict[str, float]:
    """Every unit's score on a stand-in that believes it is ``day``."""
    with running_standin(app=create_app(today=day)) as url, httpx.Client(base_url=url) as client:
        return scores(client, province, period)


def test_same_request_gives_the_same_bytes_in_another_process():
    request = body(find_province("Gia Lai"), Period(2026, "month", 10))
    with running_standin(app=create_app(today=TODAY)) as url:
        here = httpx.post(url + SERVICE_RESULTS_PATH, json=request, timeout=10).content
    with running_standin(app=create_app(today=TODAY)) as url:
        again = httpx.post(url + SERVICE_RESULTS_PATH, json=request, timeout=10).content

    script = (
        "import datetime, hashlib, sys, httpx\n"
        "from chiso766.standin import SERVICE_RESULTS_PATH, create_app, running_standin\n"
        "with running_standin(app=create_app(today=datetime.date(2026, 10, 15))) as url:\n"
        f"    answer = httpx.post(url + SERVICE_RESULTS_PATH, json={request!r}, timeout=10)\n"
        "sys.stdout.write(hashlib.sha256(answer.content).hexdigest())\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )

    assert here == again
    assert other.stdout == hashlib.sha256(here).hexdigest()


@pytest.mark.parametrize("province", all_provinces(), ids=lambda p: p.code)
def test_every_province_answers_every_month_with_all_its_units(client, province):
    communes = len(official_communes(province.code))
    unit_ids = None
    for month in MONTHS:
        data = ask(client, province, month).json()["data"]
        rows = data["evaluation"]
        groups = [row["childGroup"] for row in rows]
        departments = groups.count("AGENCY")

        assert groups.count("COMMUNE") == communes
        assert 12 <= departments <= 16
        assert len(rows) == communes + departments
        scores = [row["totalScore"] for row in rows]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= score <= 100 for score in scores)
        assert data["overview"]["departmentCode"] == province.portal_code
        # The same units under the same ids every month.
        ids = {row["departmentId"] for row in rows}
        assert len(ids) == len(rows)
        assert unit_ids in (None, ids)
        unit_ids = ids


def test_units_drift_a_little_from_month_to_month(client):
    for province in all_provinces():
        closed = [m for m in MONTHS if (TODAY - m.last_day).days > REVISION_DAYS][1:]
        before = scores(client, province, closed[0])
        for month in closed[1:]:
            after = scores(client, province, month)
            changes = [abs(after[unit] - before[unit]) for unit in before]

            assert max(changes) <= 1.5 + 1e-9, (province.name, month)
            assert sum(change > 0 for change in changes) > len(changes) / 2
            before = after


def test_generated_scores_look_like_the_portal(client):
    scores = [
        row["totalScore"]
        for province in all_provinces()
        for row in ask(client, province, Period(2026, "month", 3)).json()["data"]["evaluation"]
    ]
    assert all(round(score, 2) == score for score in scores)
    high = sum(85 <= score <= 100 for score in scores)
    assert 0.75 * len(scores) <= high < len(scores)  # most score high, a few lag behind


def test_the_running_month_changes_from_day_to_day():
    october = Period(2026, "month", 10)
    assert scores_on(date(2026, 10, 14), HAI_PHONG, october) != scores_on(
        date(2026, 10, 15), HAI_PHONG, october
    )


def test_a_closed_month_is_revised_for_a_few_days_then_fixed():
    september = Period(2026, "month", 9)
    assert scores_on(date(2026, 10, 2), HAI_PHONG, september) != scores_on(
        date(2026, 10, 3), HAI_PHONG, september
    )
    settled = september.last_day + timedelta(days=REVISION_DAYS + 1)
    assert scores_on(settled, HAI_PHONG, september) == scores_on(
        date(2027, 3, 1), HAI_PHONG, september
    )


def test_hai_phong_january_still_serves_the_published_notice():
    published = bundled_dataset().ranking(HAI_PHONG, Period(2026, "month", 1))
    with running_standin(app=create_app(today=TODAY)) as url:
        january = httpx.post(
            url + SERVICE_RESULTS_PATH, json=body(HAI_PHONG, MONTHS[0]), timeout=10
        )
        february = httpx.post(
            url + SERVICE_RESULTS_PATH, json=body(HAI_PHONG, MONTHS[1]), timeout=10
        )

    assert january.headers[SYNTHETIC_HEADER] == "false"
    assert january.json()["data"]["synthetic"] is False
    assert january.json()["data"]["evaluation"] == [dict(row) for row in published.evaluation]
    # February goes on from the published month: the same ids, scores close to January's.
    assert february.headers[SYNTHETIC_HEADER] == "true"
    before = {row["departmentId"]: row["totalScore"] for row in published.evaluation}
    after = {
        row["departmentId"]: row["totalScore"] for row in february.json()["data"]["evaluation"]
    }
    assert set(after) == set(before)
    assert all(abs(after[unit] - before[unit]) <= 1.5 + 1e-9 for unit in before)


@pytest.mark.parametrize("province", [HAI_PHONG, find_province("Hà Nội"), find_province("Cà Mau")])
def test_generated_answers_are_marked_synthetic(client, province):
    answer = ask(client, province, Period(2026, "month", 7))

    assert answer.headers[SYNTHETIC_HEADER] == "true"
    assert answer.json()["data"]["synthetic"] is True
    assert answer.json()["data"]["source"] == SYNTHETIC_SOURCE


def test_quarters_and_years_are_the_mean_of_their_months_so_far(client):
    province = find_province("Phú Thọ")
    months = [scores(client, province, Period(2026, "month", n)) for n in (7, 8, 9)]
    quarter = scores(client, province, Period(2026, "quarter", 3))
    year = ask(client, province, Period(2026, "year", 0)).json()["data"]

    assert quarter == {u: round(sum(m[u] for m in months) / 3, 2) for u in quarter}
    assert year["synthetic"] is True
    assert len(year["evaluation"]) == len(quarter)
    # The running quarter holds October alone so far.
    october = scores(client, province, Period(2026, "month", 10))
    assert scores(client, province, Period(2026, "quarter", 4)) == october


@pytest.mark.parametrize(
    "period",
    [Period(2025, "month", 12), Period(2025, "year", 0), Period(2026, "month", 11)],
    ids=["before-2026", "year-2025", "after-today"],
)
def test_nothing_to_report_before_2026_or_after_today(client, period):
    data = ask(client, find_province("Huế"), period).json()["data"]
    assert data["evaluation"] == []
    assert data["synthetic"] is False


def test_national_list_has_every_province(client):
    answer = ask(client, None, Period(2026, "month", 9))
    data = answer.json()["data"]

    assert answer.headers[SYNTHETIC_HEADER] == "true"
    assert SYNTHETIC_SOURCE in data["source"]
    assert sorted(row["departmentCode"] for row in data["evaluation"]) == sorted(
        province.portal_code for province in all_provinces()
    )


@pytest.mark.parametrize("province", all_provinces(), ids=lambda p: p.code)
def test_generated_names_match_the_official_units(client, province):
    payload = ask(client, province, Period(2026, "month", 8)).json()
    table = parse_ranking(payload, province)
    seeded = seed_departments(province.code)
    result = match_units(table, province, official_communes(province.code), seeded)

    assert result.review == []
    departments = int((table["kind"] == "department").sum())
    assert len(result.new_departments) == (0 if seeded else departments)
    matched = set(result.table.get("official_code", []))  # every commune under its own code
    assert {c.official_code for c in official_communes(province.code)} <= matched


def test_standin_command_refuses_a_malformed_date(capsys):
    assert main(["standin", "--today", "15/10/2026"]) == 2
    assert "--today" in capsys.readouterr().err
