"""The warehouse keeps every observation of a period: --as-of, provisional and final, changes."""

from datetime import UTC, date, datetime, timedelta

import pytest
from history_helpers import answer_at
from sqlalchemy import text

from chiso766 import jobs
from chiso766.cli import main
from chiso766.periods import Period
from chiso766.provinces import find_province
from chiso766.summary import capture_summary
from load.warehouse import Warehouse
from transform.history import (
    FINAL_FROM_SQL,
    end_of_day,
    final_from,
    observation_status,
)

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")
# 30 January 2026, 20:00 in Vietnam; the evening after, the portal has revised two units.
FIRST = datetime(2026, 1, 30, 13, 0, tzinfo=UTC)
SECOND = datetime(2026, 1, 31, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def january_answer(standin_url, tmp_path_factory):
    from chiso766.settings import Settings

    folder = tmp_path_factory.mktemp("answer")
    settings = Settings.from_env({}).with_overrides(
        portal_url=standin_url, data_dir=folder, archive_dir=folder / "a", min_interval=0.0
    )
    return jobs.fetch(settings, HAI_PHONG, JANUARY)


def store(warehouse, answer):
    return jobs.store(
        warehouse, answer, HAI_PHONG, JANUARY, jobs.match(answer, HAI_PHONG, warehouse)
    )


@pytest.fixture
def two_observations(database_url, january_answer):
    warehouse = Warehouse(database_url)
    warehouse.initialise()
    first = store(warehouse, answer_at(january_answer, FIRST))
    second = store(
        warehouse,
        answer_at(
            january_answer, SECOND, bump={"UBND xã Kê Sặt": 1.25, "UBND xã Vĩnh Thuận": -0.5}
        ),
    )
    yield warehouse, first, second
    warehouse.close()


def test_as_of_chooses_the_observation_that_stood_at_the_end_of_that_day(two_observations):
    warehouse, first, second = two_observations
    ids = first.stored.observation_id, second.stored.observation_id

    on_30th = warehouse.latest_observation(HAI_PHONG.code, "2026-01", end_of_day(date(2026, 1, 30)))
    on_31st = warehouse.latest_observation(HAI_PHONG.code, "2026-01", end_of_day(date(2026, 1, 31)))
    latest = warehouse.latest_observation(HAI_PHONG.code, "2026-01")
    before = warehouse.latest_observation(HAI_PHONG.code, "2026-01", end_of_day(date(2026, 1, 29)))

    assert (on_30th.id, on_31st.id, latest.id) == (ids[0], ids[1], ids[1])
    assert before is None


def test_as_of_counts_the_day_in_vietnam_not_in_utc(database_url, january_answer):
    warehouse = Warehouse(database_url)
    warehouse.initialise()
    # 31 January 23:30 in Vietnam is still 31 January 16:30 UTC; 1 February 00:30 is not.
    late = store(warehouse, answer_at(january_answer, datetime(2026, 1, 31, 16, 30, tzinfo=UTC)))
    store(
        warehouse,
        answer_at(january_answer, datetime(2026, 1, 31, 17, 30, tzinfo=UTC), bump={"Sở": 0.1}),
    )

    found = warehouse.latest_observation(HAI_PHONG.code, "2026-01", end_of_day(date(2026, 1, 31)))

    assert found.id == late.stored.observation_id
    warehouse.close()


def test_a_new_observation_reports_which_units_moved(two_observations, settings):
    warehouse, first, second = two_observations

    changes = warehouse.compare_observations(
        first.stored.observation_id, second.stored.observation_id
    )

    moved = changes.set_index("name")
    assert moved.loc["Kẻ Sặt", "delta"] == pytest.approx(1.25)
    assert moved.loc["Vĩnh Thuận", "delta"] == pytest.approx(-0.5)
    assert changes.iloc[0]["name"] == "Kẻ Sặt"
    assert moved.loc["Kẻ Sặt", "new_rank"] < moved.loc["Kẻ Sặt", "old_rank"]
    assert set(changes.columns) >= {"old_score", "new_score", "old_rank", "new_rank"}
    assert second.previous[0] == first.stored.observation_id and first.previous is None
    line = capture_summary(second, settings)
    assert f"Changed since observation {first.stored.observation_id} (2026-01-30)" in line
    assert "largest: " in line and "Kẻ Sặt" in line


def test_an_identical_capture_adds_no_rows(two_observations, january_answer):
    warehouse, _first, second = two_observations
    counts = warehouse.count_rows()

    again = store(
        warehouse,
        answer_at(
            january_answer,
            SECOND + timedelta(days=1),
            bump={"UBND xã Kê Sặt": 1.25, "UBND xã Vĩnh Thuận": -0.5},
        ),
    )

    assert not again.stored.created
    assert again.stored.observation_id == second.stored.observation_id
    assert warehouse.count_rows() == counts


@pytest.mark.parametrize(
    ("captured_at", "status"),
    [
        (datetime(2026, 1, 31, 16, 59, tzinfo=UTC), "provisional"),  # 31/01 23:59 in Vietnam
        (datetime(2026, 2, 5, 16, 59, 59, tzinfo=UTC), "provisional"),  # 05/02 23:59:59
        (datetime(2026, 2, 5, 17, 0, tzinfo=UTC), "final"),  # 06/02 00:00 in Vietnam
        (datetime(2026, 3, 1, tzinfo=UTC), "final"),
        (datetime(2026, 2, 5, 17, 0), "final"),  # a naive time from SQLite is UTC
    ],
)
def test_an_observation_is_final_five_full_days_after_its_period(captured_at, status):
    assert observation_status(JANUARY, captured_at) == status


def test_quarters_and_years_become_final_after_their_last_day():
    assert final_from(Period.parse("2026-Q1")) == datetime(2026, 4, 5, 17, 0, tzinfo=UTC)
    assert final_from(Period.parse("2025")) == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize("label", ["2026-01", "2026-02", "2026-12", "2026-Q1", "2026-Q4", "2025"])
def test_the_sql_rule_agrees_with_the_python_rule(database_url, label):
    warehouse = Warehouse(database_url)
    warehouse.initialise()
    period = Period.parse(label)
    dialect = warehouse.engine.dialect.name
    query = text(
        f"SELECT {FINAL_FROM_SQL[dialect]} FROM (SELECT :period AS period, :kind AS period_kind)"
        " AS observation"
    )
    with warehouse.engine.connect() as connection:
        value = connection.execute(query, {"period": label, "kind": period.kind}).scalar_one()
    warehouse.close()

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    assert value == final_from(period)


def test_the_appendix_of_an_open_period_says_provisional(two_observations):
    warehouse, *_ = two_observations

    appendix, _ = jobs.appendix_of(warehouse, HAI_PHONG, JANUARY)

    assert appendix.provisional
    from transform.appendix import table_notes

    assert any("TẠM TÍNH" in note for note in table_notes(appendix, appendix.tables[0]))


def test_the_appendix_command_takes_as_of(two_observations, tmp_path, capsys):
    warehouse, first, _second = two_observations
    args = ["appendix", "--province", "31", "--period", "2026-01", "--db", warehouse.url]

    code = main([*args, "--as-of", "2026-01-30", "--out", str(tmp_path), "--format", "md"])
    out = capsys.readouterr().out

    assert code == 0
    assert f"from observation {first.stored.observation_id}" in out and "TẠM TÍNH" in out
    assert main([*args, "--as-of", "2026-01-29", "--out", str(tmp_path)]) == 6
    assert "holds no ranking of Hải Phòng for 2026-01 as of 2026-01-29" in capsys.readouterr().err
    assert main([*args, "--as-of", "30/01/2026", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and len(err.strip().splitlines()) == 1
