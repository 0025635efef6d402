"""Periods of the 766 index: a month (``2026-01``), a quarter (``2026-Q1``) or a year (``2026``)."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from chiso766.errors import InputError

PeriodKind = Literal["month", "quarter", "year"]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Decision 766/QĐ-TTg dates from June 2022; the portal publishes nothing before that year.
FIRST_YEAR = 2022
ACCEPTED_FORMS = "2026-01 (a month), 2026-Q1 (a quarter) or 2026 (a year)"

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


def today_in_vietnam() -> date:
    """The calendar date in Vietnam now, which is what the portal's periods follow."""
    return datetime.now(VIETNAM).date()


@dataclass(frozen=True, order=True)
class Period:
    """One period as the portal understands it; ``number`` is the month or quarter, 0 for a year."""

    year: int
    kind: PeriodKind
    number: int = 0

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Read ``2026-01``, ``2026-Q1`` or ``2026``; anything else is an input error."""
        text = (text or "").strip()
        if m := _MONTH_RE.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise InputError(f"The period {text!r} has no month {month}; use {ACCEPTED_FORMS}.")
            period = cls(year, "month", month)
        elif m := _QUARTER_RE.match(text):
            period = cls(int(m.group(1)), "quarter", int(m.group(2)))
        elif m := _YEAR_RE.match(text):
            period = cls(int(m.group(1)), "year", 0)
        else:
            raise InputError(f"The period {text!r} is not understood; use {ACCEPTED_FORMS}.")
        if period.year < FIRST_YEAR:
            raise InputError(
                f"The period {text!r} is before {FIRST_YEAR}, when the 766 index began."
            )
        return period

    @property
    def label(self) -> str:
        """The period written as the command line takes it: ``2026-01``, ``2026-Q1``, ``2026``."""
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    def __str__(self) -> str:
        return self.label

    @property
    def first_day(self) -> date:
        if self.kind == "month":
            return date(self.year, self.number, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        if self.kind == "month":
            last_month = self.number
        elif self.kind == "quarter":
            last_month = 3 * self.number
        else:
            last_month = 12
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def is_open(self, today: date) -> bool:
        """Whether the period is still running on ``today`` (its figures change daily)."""
        return self.contains(today)

    def ensure_started(self, today: date) -> None:
        """Refuse a period that has not begun: the portal has nothing for it yet."""
        if self.first_day > today:
            raise InputError(
                f"The period {self.label} is in the future (today is {today.isoformat()} "
                "in Vietnam); choose a period that has begun."
            )

    def portal_fields(self) -> dict[str, int | str]:
        """The period as the current API's JSON body spells it."""
        fields: dict[str, int | str] = {"timeType": self.kind, "year": self.year}
        if self.kind == "month":
            fields["month"] = self.number
        elif self.kind == "quarter":
            fields["quarter"] = self.number
        return fields

    def next(self) -> "Period":
        """The period of the same kind that follows this one."""
        return Period.containing(self.last_day + timedelta(days=1), self.kind)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> "Period":
        if kind == "month":
            return cls(day.year, "month", day.month)
        if kind == "quarter":
            return cls(day.year, "quarter", (day.month - 1) // 3 + 1)
        return cls(day.year, "year", 0)


def months_between(first: Period, last: Period) -> list[Period]:
    """Every month from ``first`` to ``last``, both included."""
    if first.kind != "month" or last.kind != "month":
        raise InputError("A range of periods is given in months, such as 2026-01 to 2026-10.")
    if first > last:
        raise InputError(f"The range starts at {first} after it ends at {last}; swap them.")
    months, current = [], first
    while current <= last:
        months.append(current)
        current = current.next()
    return months
