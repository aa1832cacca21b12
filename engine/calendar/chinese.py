"""Day tables built from the ``chinese_calendar`` package (PyPI: chinesecalendar).

That package transcribes the State Council's annual holiday notices (国务院办公厅关于X年部分节假日
安排的通知) from 2004 on, including 调休 make-up workdays, so we do not maintain that history
ourselves. It refuses years it has no data for (NotImplementedError); years published after the
installed version are loaded from a year file instead (see ``yearfile``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

from engine.calendar.days import Day, DayKind, DayTable
from engine.calendar.errors import YearNotSupported

# chinese_calendar names holidays in English; case workers read Chinese.
ZH_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def supported_years() -> range:
    """The contiguous range of years the installed chinese_calendar knows (2004-2026 for 1.11)."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


def _day(d: date) -> Day:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError as exc:
        raise YearNotSupported(str(exc)) from exc
    zh = ZH_NAMES.get(name, name) if name else None
    weekend = d.weekday() >= 5
    if on_holiday and name:
        return Day(DayKind.HOLIDAY, zh)
    if not on_holiday and weekend:
        return Day(DayKind.MAKEUP, zh)
    return Day(DayKind.WEEKEND if weekend else DayKind.WORKDAY)


def day_table_from_chinese_calendar(years: Iterable[int]) -> DayTable:
    """A table covering ``years`` from chinese_calendar; raises YearNotSupported for unknown years."""
    wanted = sorted(set(years))
    known = supported_years()
    missing = [y for y in wanted if y not in known]
    if missing:
        raise YearNotSupported(
            f"chinese_calendar {chinese_calendar.__version__} has no data for {missing} "
            f"(it covers {known.start}-{known.stop - 1}); load a year file for them"
        )
    exceptions: dict[date, Day] = {}
    for year in wanted:
        d = date(year, 1, 1)
        while d.year == year:
            day = _day(d)
            if day.kind in (DayKind.HOLIDAY, DayKind.MAKEUP):
                exceptions[d] = day
            d += timedelta(days=1)
    return DayTable(wanted, exceptions)
