"""Every fault of the stand-in, over real HTTP, through ``jobs.capture``: what a user gets.

Transient faults are retried and the run succeeds; blocks stop at once with one sentence; spoilt
answers are refused with a sentence naming the field and the unit, their raw body kept; unknown
extra fields are tolerated and logged once. After a refused run the warehouse is as it was.
"""

import logging
import re
from pathlib import Path

import pytest

import transform.ranking
from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from chiso766.standin import create_app, running_standin
from chiso766.standin.faults import (
    BLOCKS,
    EXTRA_FIELD,
    FAULT_KINDS,
    MALFORMED,
    TRANSIENT,
    Fault,
    FaultPlan,
)
from extract.exceptions import PortalBlocked
from load.warehouse import Warehouse

HAI_PHONG = find_province("Hải Phòng")
JANUARY, FEBRUARY, MARCH = (Period.parse(p) for p in ("2026-01", "2026-02", "2026-03"))

# What the refusal of each spoilt answer must say (the field, and the unit where there is one).
REFUSALS = {
    "truncated": r"not valid JSON",
    "invalid-json": r"not valid JSON",
    "not-ok": r"code 'SYSTEM_ERROR' instead of 'OK'",
    "missing-field": r"row \d+ \([^)]+\) has no totalScore\.",
    "renamed-field": r"row \d+ \([^)]+\) has no totalScore \(it has 'total_score' instead",
    "wrong-root": r"departmentCode \w+ \(UBND .+\), but Thành phố Hải Phòng is H24",
    "duplicate-unit": r"rows \d+ \([^)]+\) and \d+ \([^)]+\) share departmentId",
    "empty": r"lists no department or commune \(data.evaluation is empty\)",
    "out-of-range": r"row \d+ \([^)]+\) has a totalScore outside 0..100: 150",
}


def test_every_kind_is_covered_by_this_suite():
    assert set(FAULT_KINDS) == set(TRANSIENT) | set(BLOCKS) | set(REFUSALS) | {"extra-field"}
    assert set(MALFORMED) == set(REFUSALS)


@pytest.fixture
def baseline(settings):
    """Settings whose warehouse already holds Hải Phòng 2026-01, captured without faults."""
    jobs.capture(settings, HAI_PHONG, JANUARY)
    return settings


def on(settings, url: str):
    """The settings pointed at a faulty stand-in, with a tiny read timeout and backoff."""
    return settings.with_overrides(portal_url=url, read_timeout=0.3, backoff_base=0.001)


def counts(settings) -> dict[str, int]:
    warehouse = Warehouse(settings.database_url)
    try:
        return warehouse.count_rows()
    finally:
        warehouse.close()


def observations_of(settings, period: Period) -> int:
    warehouse = Warehouse(settings.database_url)
    try:
        return int(warehouse.latest_observation(HAI_PHONG.code, period.label) is not None)
    finally:
        warehouse.close()


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_transient_fault_is_retried_and_the_run_succeeds(baseline, kind):
    plan = FaultPlan([Fault(kind, count=2)], seed=1, delay=1.0)
    with running_standin(app=create_app(faults=plan)) as url:
        report = jobs.capture(on(baseline, url), HAI_PHONG, FEBRUARY)

    assert plan.hits[kind] == 2 and plan.requests == 3
    assert report.stored.created
    assert report.departments + report.communes > 0


def test_random_transient_faults_with_a_seed_are_retried_the_same_way_twice(settings):
    hits = []
    for _ in range(2):
        plan = FaultPlan([Fault("503", 0.4), Fault("reset", 0.2)], seed=766, delay=1.0)
        with running_standin(app=create_app(faults=plan)) as url:
            for period in (JANUARY, FEBRUARY, MARCH):
                assert jobs.capture(on(settings, url), HAI_PHONG, period).communes > 0
        hits.append(dict(plan.hits))

    assert hits[0] == hits[1] and sum(hits[0].values()) > 0


@pytest.mark.parametrize("kind", [*BLOCKS])
def test_a_block_stops_the_run_at_once_and_stores_nothing(baseline, kind):
    before = counts(baseline)
    plan = FaultPlan([Fault(kind)], seed=1)
    with running_standin(app=create_app(faults=plan)) as url:
        with pytest.raises(PortalBlocked) as error:
            jobs.capture(on(baseline, url), HAI_PHONG, FEBRUARY)

    message = str(error.value)
    assert plan.requests == 1
    assert error.value.exit_code == 4 and "\n" not in message
    assert "firewall refused" in message and "without retrying" in message
    assert ("Request Rejected" in message) if kind == "waf" else (f"HTTP {kind}" in message)
    assert counts(baseline) == before and observations_of(baseline, FEBRUARY) == 0


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_spoilt_answer_is_refused_naming_what_is_wrong_and_kept(baseline, kind):
    before = counts(baseline)
    plan = FaultPlan([Fault(kind)], seed=3)
    with running_standin(app=create_app(faults=plan)) as url:
        with pytest.raises(Exception) as error:
            jobs.capture(on(baseline, url), HAI_PHONG, FEBRUARY)

    message = str(error.value)
    assert getattr(error.value, "exit_code", None) == 5, message
    assert re.search(REFUSALS[kind], message), message
    assert "\n" not in message and plan.requests == 1
    kept = Path(re.search(r"kept at (\S+)\.$", message).group(1))
    assert kept.is_file() and kept.suffix == ".body"
    assert counts(baseline) == before and observations_of(baseline, FEBRUARY) == 0


def test_an_unknown_extra_field_is_tolerated_and_logged_once(baseline, caplog, monkeypatch):
    monkeypatch.setattr(transform.ranking, "_unknown_fields_logged", set())
    plan = FaultPlan([Fault("extra-field")], seed=1)
    with caplog.at_level(logging.INFO, logger="transform.ranking"):
        with running_standin(app=create_app(faults=plan)) as url:
            february = jobs.capture(on(baseline, url), HAI_PHONG, FEBRUARY)
            march = jobs.capture(on(baseline, url), HAI_PHONG, MARCH)

    assert february.stored.created and march.stored.created
    notes = [r.getMessage() for r in caplog.records if EXTRA_FIELD in r.getMessage()]
    assert len(notes) == 1 and "ignores" in notes[0]


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        ("503", None),
        ("reset", None),
        ("403", "HTTP 403"),
        ("missing-field", r"transparency row \d+ \([^)]+\) has no totalScore"),
        ("out-of-range", r"transparency row \d+ \([^)]+\) has totalScore 150"),
        ("duplicate-unit", r"transparency rows \d+ and \d+ \([^)]+\) share departmentId"),
        ("wrong-root", r"overview has departmentId"),
    ],
)
def test_faults_of_a_detail_endpoint_are_handled_like_the_ranking(settings, kind, outcome):
    plan = FaultPlan(
        [Fault(kind, count=1 if outcome is None else None, endpoints=frozenset({"transparency"}))],
        seed=5,
        delay=1.0,
    )
    with running_standin(app=create_app(faults=plan)) as url:
        faulty = on(settings, url)
        report = jobs.capture(faulty, HAI_PHONG, JANUARY)
        ranking = jobs.fetch(faulty, HAI_PHONG, JANUARY)
        warehouse = jobs.open_warehouse(faulty)
        before = warehouse.count_rows()
        try:
            if outcome is None:
                answers = jobs.fetch_details(faulty, HAI_PHONG, JANUARY)
                stored = jobs.store_details(warehouse, answers, ranking, HAI_PHONG, report)
                assert stored.stored.observation_id == report.stored.observation_id
            else:
                with pytest.raises(Exception, match=outcome) as error:
                    answers = jobs.fetch_details(faulty, HAI_PHONG, JANUARY)
                    jobs.store_details(warehouse, answers, ranking, HAI_PHONG, report)
                assert error.value.exit_code in (4, 5)
                assert warehouse.count_rows() == before
        finally:
            warehouse.close()
    assert plan.hits[kind] >= 1


@pytest.mark.flow
@pytest.mark.parametrize(
    ("kind", "exit_code", "words"),
    [("403", 4, "HTTP 403"), ("waf", 4, "Request Rejected"), ("truncated", 5, "not valid JSON")],
)
def test_the_capture_command_ends_a_faulty_run_in_one_sentence(
    prefect_harness, settings, capsys, kind, exit_code, words
):
    from chiso766.cli import main

    warehouse = jobs.open_warehouse(settings)
    before = warehouse.count_rows()
    app = create_app(faults=FaultPlan([Fault(kind)], seed=1))

    with running_standin(app=app) as url:
        code = main(
            ["capture", "--province", "31", "--period", "2026-01", "--portal", url,
             "--db", settings.database_url, "--min-interval", "0"]
        )  # fmt: skip

    err = capsys.readouterr().err
    assert code == exit_code
    assert words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert warehouse.count_rows() == before
    warehouse.close()
