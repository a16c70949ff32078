"""When a roadmap item ships, as companies write it: a calendar quarter ('2027-Q1'), a
fiscal quarter ('FY27-Q3', on the organisation's fiscal calendar) or a product version
('17.0', resolved through the release plans that declare the version they ship); and the
month arithmetic every rule about time shares (add_months). Pure: no files, no clock.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

HORIZON_PATTERN = r"^(?:[0-9]{4}-Q[1-4]|FY(?:[0-9]{2}|[0-9]{4})-Q[1-4]|[0-9]+(?:\.[0-9]+){1,2})$"
"""A calendar quarter, a fiscal quarter or a version."""
HORIZON_MEANING = "a quarter such as '2027-Q1', a fiscal quarter such as 'FY27-Q3', or a version such as '17.0'"

_CALENDAR = re.compile(r"^([0-9]{4})-Q([1-4])$")
_FISCAL = re.compile(r"^FY([0-9]{2}|[0-9]{4})-Q([1-4])$")
_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+){1,2}$")
FISCAL_START = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
"""How the fiscal year's first day is written: 'MM-DD', e.g. '02-01'."""

NamedBy = Literal["start", "end"]


@dataclass(frozen=True, slots=True)
class FiscalCalendar:
    """The organisation's fiscal year: the month and day it starts, and whether 'FY27' is
    the fiscal year that ends in 2027 (the common use) or the one that starts in it."""

    start_month: int = 1
    start_day: int = 1
    named_by: NamedBy = "end"

    @classmethod
    def of(cls, start: str | None, named_by: NamedBy = "end") -> FiscalCalendar:
        """The calendar for ``start`` ('MM-DD'; None: the calendar year)."""
        if start is None:
            return cls(named_by=named_by)
        month, day = (int(part) for part in start.split("-"))
        return cls(month, day, named_by)

    def quarter(self, horizon: str) -> tuple[datetime.date, datetime.date] | None:
        """The first and last day of the quarter ``horizon`` names, or None for a version
        (or anything else)."""
        calendar = _CALENDAR.match(horizon)
        if calendar:
            year, quarter = int(calendar[1]), int(calendar[2])
            return _span(datetime.date(year, 3 * quarter - 2, 1))
        fiscal = _FISCAL.match(horizon)
        if fiscal is None:
            return None
        named = int(fiscal[1]) + (2000 if len(fiscal[1]) == 2 else 0)
        starts_in = named - 1 if self.named_by == "end" and (self.start_month, self.start_day) != (1, 1) else named
        try:
            first = datetime.date(starts_in, self.start_month, self.start_day)
        except ValueError:  # 02-29 in a year without it
            first = datetime.date(starts_in, self.start_month, 28)
        return _span(add_months(first, 3 * (int(fiscal[2]) - 1)))


def is_version(horizon: str) -> bool:
    return _VERSION.match(horizon) is not None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later (earlier when negative), or that month's
    last day when it is shorter: 2026-08-31 and -18 give 2025-02-28."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def months_before(day: datetime.date, months: int) -> datetime.date:
    """``add_months(day, -months)``: the day a span of months back from ``day`` starts."""
    return add_months(day, -months)


def _span(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The three months from ``first``: its first and last day."""
    return first, add_months(first, 3) - datetime.timedelta(days=1)
