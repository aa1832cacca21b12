"""Time in business terms: "3 working days", "2 hours", "to 2026-10-08 09:00" as instants."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from engine.calendar.helpers import add_working_days, add_working_hours
from engine.config import settings
from engine.errors import InvalidInput

_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(working\s+)?(minute|hour|day|week)s?\s*$", re.IGNORECASE)
_PLAIN = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
          "week": timedelta(weeks=1)}
MAX_ADVANCE = timedelta(days=366 * 10)


def local(instant: datetime) -> datetime:
    """A naive date and time in a scenario is the district's local time."""
    return instant.replace(tzinfo=settings().tz) if instant.tzinfo is None else instant


def shown(instant: datetime | None) -> str:
    return "-" if instant is None else instant.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M")


def after(now: datetime, amount: str) -> datetime:
    """`now` + an amount such as "3 working days", "1 working hour", "2 hours", "90 minutes", "5 days"."""
    found = _AMOUNT.match(str(amount))
    if found is None:
        raise InvalidInput(f"advance takes an amount like '3 working days' or '2 hours', not {amount!r}",
                           {"advance": [str(amount)]}, key="scenario.bad_advance", params={"amount": str(amount)})
    count, working, unit = float(found.group(1)), bool(found.group(2)), found.group(3).lower()
    if working and unit == "day":
        target = add_working_days(now, count)
    elif working and unit == "hour":
        target = add_working_hours(now, count)
    elif working:
        raise InvalidInput(f"working time is counted in days or hours, not {unit}s", {"advance": [str(amount)]},
                           key="scenario.bad_advance", params={"amount": str(amount)})
    else:
        target = now + count * _PLAIN[unit]
    if target - now > MAX_ADVANCE:
        raise InvalidInput("advance by ten years at most", {"advance": [str(amount)]}, key="scenario.bad_advance",
                           params={"amount": str(amount)})
    return target.astimezone(UTC)
