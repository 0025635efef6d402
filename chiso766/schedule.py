"""What a night and a backfill should fetch: pure planning, no clock, no network, no warehouse.

A nightly run on day D (in Vietnam) observes the periods that still move:

- the month, quarter and year containing D − 1 (the last whole day the portal has counted);
- every month that closed before D − 1 and is still within its grace days, up to and including
  the day its observations become final (``transform.history.FINAL_AFTER_DAYS``): for January
  2026, the nights of 1–6 February; the capture of 6 February is the first final one.

A month *becomes final on D* when D is that first final day; the nightly run then writes its
appendix files. Quarters and years are observed while they run only: the notice is monthly.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from chiso766.periods import Period
from chiso766.provinces import Province, all_provinces, find_province
from transform.history import FINAL_AFTER_DAYS


@dataclass(frozen=True)
class NightlyPlan:
    """The periods a nightly run on ``day`` observes, and the months that become final that day."""

    day: date
    observe: tuple[Period, ...]
    becoming_final: tuple[Period, ...]


def first_final_day(month: Period, final_after_days: int = FINAL_AFTER_DAYS) -> date:
    """The first day (in Vietnam) on which a capture of ``month`` is final."""
    return month.last_day + timedelta(days=final_after_days + 1)


def plan_night(day: date, final_after_days: int = FINAL_AFTER_DAYS) -> NightlyPlan:
    """The periods to observe on the night of ``day``, oldest closed month first."""
    yesterday = day - timedelta(days=1)
    running = [Period.containing(yesterday, kind) for kind in ("month", "quarter", "year")]

    # Closed months still in their grace days: their last day lies before yesterday, and their
    # first final day is today or later. A grace period is shorter than a month, but walking
    # back month by month keeps this right for any FINAL_AFTER_DAYS.
    in_grace, month = [], running[0]
    while True:
        month = Period.containing(month.first_day - timedelta(days=1), "month")
        if first_final_day(month, final_after_days) < day:
            break
        in_grace.append(month)
    in_grace.reverse()

    becoming_final = tuple(m for m in in_grace if first_final_day(m, final_after_days) == day)
    return NightlyPlan(day=day, observe=(*in_grace, *running), becoming_final=becoming_final)


def months_to_capture(
    months: list[Period], final_months: set[Period], *, refresh: bool = False
) -> list[Period]:
    """The months of a backfill still to fetch: all with ``refresh``, else those not final yet."""
    if refresh:
        return list(months)
    return [month for month in months if month not in final_months]


def provinces_of(text: str) -> list[Province]:
    """``all`` (the 34 provinces) or a comma-separated list of names or codes."""
    if text.strip().casefold() == "all":
        return list(all_provinces())
    return [find_province(part) for part in text.split(",") if part.strip()]
