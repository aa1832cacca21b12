"""The dashboard's period as UTC instants from local calendar dates (the district's time zone)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any


def period_bounds(args: dict[str, Any], now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """[since, until): explicit dates are whole local days, `until` included; otherwise the last `days` days."""
    since_day: date | None = args.get("since")
    until_day: date | None = args.get("until")
    if since_day is None and until_day is None:
        return now - timedelta(days=args["days"]), now
    local_today = now.astimezone(tz).date()
    until_day = until_day or local_today
    since_day = since_day or until_day - timedelta(days=args["days"] - 1)
    start = datetime.combine(since_day, time.min, tz).astimezone(UTC)
    end = datetime.combine(until_day + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, min(end, max(now, start))
