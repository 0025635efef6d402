"""Planning a night and a backfill: which periods, which months become final, what is skipped."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chiso766.errors import InputError
from chiso766.periods import Period
from chiso766.runs import PeriodResult, RunReport, summary_table
from chiso766.schedule import first_final_day, months_to_capture, plan_night, provinces_of
from chiso766.settings import Settings
from transform.history import FINAL, FINAL_AFTER_DAYS, PROVISIONAL, observation_status


def labels(periods) -> list[str]:
    return [p.label for p in periods]


def test_a_night_mid_month_observes_the_running_month_quarter_and_year():
    plan = plan_night(date(2026, 10, 15))

    assert labels(plan.observe) == ["2026-10", "2026-Q4", "2026"]
    assert plan.becoming_final == ()


def test_the_first_night_of_a_month_still_observes_the_month_that_ended_yesterday():
    plan = plan_night(date(2026, 10, 1))

    assert labels(plan.observe) == ["2026-09", "2026-Q3", "2026"]


def test_a_closed_month_is_observed_through_its_grace_days_and_no_longer():
    assert labels(plan_night(date(2026, 10, 2)).observe) == [
        "2026-09",
        "2026-10",
        "2026-Q4",
        "2026",
    ]
    assert labels(plan_night(date(2026, 10, 6)).observe)[0] == "2026-09"
    assert labels(plan_night(date(2026, 10, 7)).observe) == ["2026-10", "2026-Q4", "2026"]


def test_a_month_becomes_final_on_one_night_only():
    finals = {
        day: labels(plan_night(day).becoming_final)
        for day in (date(2026, 10, 1) + timedelta(days=n) for n in range(10))
    }

    assert [day for day, months in finals.items() if months] == [date(2026, 10, 6)]
    assert finals[date(2026, 10, 6)] == ["2026-09"]


def test_the_final_night_agrees_with_the_rule_of_transform_history():
    september = Period.parse("2026-09")
    day = first_final_day(september)
    night = datetime(day.year, day.month, day.day, 3, tzinfo=UTC) - timedelta(hours=7)  # 03:00

    assert day == september.last_day + timedelta(days=FINAL_AFTER_DAYS + 1)
    assert observation_status(september, night) == FINAL
    assert observation_status(september, night - timedelta(hours=4)) == PROVISIONAL


def test_the_grace_days_cross_the_new_year():
    plan = plan_night(date(2026, 1, 6))

    assert labels(plan.observe) == ["2025-12", "2026-01", "2026-Q1", "2026"]
    assert labels(plan.becoming_final) == ["2025-12"]


def test_a_grace_longer_than_a_month_keeps_every_month_still_in_it():
    plan = plan_night(date(2026, 3, 10), final_after_days=40)

    assert labels(plan.observe)[:2] == ["2026-01", "2026-02"]
    assert labels(plan.becoming_final) == []
    assert labels(plan_night(date(2026, 3, 13), final_after_days=40).becoming_final) == ["2026-01"]


def test_a_backfill_skips_final_months_unless_refreshed():
    months = [Period.parse(m) for m in ("2026-01", "2026-02", "2026-03")]
    final = {months[0], months[2]}

    assert months_to_capture(months, final) == [months[1]]
    assert months_to_capture(months, final, refresh=True) == months
    assert months_to_capture(months, set()) == months


def test_provinces_are_named_one_by_one_or_all():
    assert len(provinces_of("all")) == 34
    assert [p.code for p in provinces_of("Hải Phòng, gia lai")] == [
        "31",
        provinces_of("Gia Lai")[0].code,
    ]
    with pytest.raises(InputError):
        provinces_of("Nowhere")


def test_the_nightly_settings_come_from_the_environment():
    settings = Settings.from_env(
        {"CHISO766_NIGHTLY_PROVINCES": "all", "CHISO766_NIGHTLY_HOUR": "4",
         "CHISO766_GLOBAL_LIMIT": "chiso766-portal"}
    )  # fmt: skip

    assert (settings.nightly_provinces, settings.nightly_hour) == ("all", 4)
    assert settings.global_limit == "chiso766-portal"
    assert Settings.from_env({}).nightly_hour == 3
    assert Settings.from_env({}).global_limit is None
    with pytest.raises(InputError, match="hour from 0 to 23"):
        Settings.from_env({"CHISO766_NIGHTLY_HOUR": "25"})


def test_the_summary_counts_each_outcome_per_province():
    report = RunReport(
        flow="backfill",
        results=[
            PeriodResult("Hải Phòng", "2026-01", "final"),
            PeriodResult("Hải Phòng", "2026-02", "captured", 7),
            PeriodResult("Gia Lai", "2026-01", "failed", reason="HTTP 502"),
        ],
    )

    lines = summary_table(report).splitlines()

    assert lines[0].split() == ["province", "captured", "final", "identical", "failed"]
    assert lines[1].split() == ["Hải", "Phòng", "1", "1", "0", "0"]
    assert lines[2].split() == ["Gia", "Lai", "0", "0", "0", "1"]
    assert lines[3].split() == ["total", "1", "1", "0", "1"]
    assert not report.nothing_new


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["backfill", "--province", "31", "--from", "2026-05", "--to", "2026-01"], "swap them"),
        (["backfill", "--province", "31", "--from", "2026-Q1", "--to", "2026-02"], "in months"),
        (["backfill", "--province", "31", "--from", "2026-01", "--to", "2099-01"], "future"),
        (["nightly", "run", "--date", "15/10/2026"], "is not a date"),
        (["nightly", "serve", "--hour", "24"], "is not an hour"),
    ],
)
def test_bad_input_to_the_run_commands_gets_one_sentence_and_exit_code_2(args, words, tmp_path):
    import subprocess
    import sys

    db = ["--db", f"sqlite:///{tmp_path / 'w.sqlite'}"]
    result = subprocess.run(
        [sys.executable, "-m", "chiso766", *args, *db], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
