"""The business calendar kept in the database: seed, load a year, show a month, build calendars.

The day table lives in ``calendar_years``/``calendar_days`` so that every process (web, N workers)
computes deadlines from the same data, and a year loaded by an operator reaches all of them: each
process caches the built calendar keyed by a cheap revision query and rebuilds when it changes.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.calendar import (
    BusinessCalendar,
    Day,
    DayKind,
    DayTable,
    WorkingHoursConfig,
    YearFile,
    day_table_from_chinese_calendar,
    load_working_hours,
    merge_tables,
    read_year_file,
    set_default_calendar,
    supported_years,
)
from engine.calendar.yearfile import DraftYearRefused
from engine.errors import InvalidInput, Problem
from engine.store.base import utcnow
from engine.store.models.definitions import Deployment
from engine.store.models.sla import CalendarDay, CalendarYear

WORKING_HOURS_FILE = "rules/calendar/working_hours.yaml"


@dataclass(frozen=True)
class DayRow:
    day: date
    kind: str
    name: str | None
    working: bool


def _store_table(session: Session, year: int, table: DayTable, *, status: str, origin: str,
                 source: str | None, published: date | None, actor: str) -> None:
    session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = session.get(CalendarYear, year) or CalendarYear(year=year)
    row.status, row.origin, row.source, row.published = status, origin, source, published
    row.loaded_at, row.loaded_by = utcnow(), actor
    session.add(row)
    session.flush()
    for d, day in sorted(table.exceptions.items()):
        session.add(CalendarDay(year=year, day=d, kind=day.kind.value, name=day.name))
    session.flush()


def seed_from_chinese_calendar(session: Session, actor: str = "system") -> list[int]:
    """Store every year the chinese_calendar package knows that the table does not hold yet.

    Years already present are left alone: an operator's year file is never overwritten at init."""
    present = set(session.scalars(select(CalendarYear.year)))
    added = []
    for year in supported_years():
        if year in present:
            continue
        table = day_table_from_chinese_calendar([year])
        _store_table(session, year, table, status="official", origin="chinese_calendar",
                     source=f"chinesecalendar package ({year})", published=None, actor=actor)
        added.append(year)
    return added


def store_year_file(session: Session, year_file: YearFile, actor: str) -> None:
    _store_table(session, year_file.year, year_file.table, status=year_file.status, origin="year_file",
                 source=year_file.source, published=year_file.published, actor=actor)


def read_year(path_or_text: str | Path, allow_draft: bool) -> YearFile:
    """Parse a year file; a draft is refused unless allowed (raises DefinitionInvalid)."""
    parsed = read_year_file(path_or_text)
    if parsed.is_draft and not allow_draft:
        raise DraftYearRefused([Problem(str(path_or_text) if "\n" not in str(path_or_text) else "<text>",
                                        "status", f"{parsed.year} is a draft; load it with allow_draft to use it "
                                        "anyway (its deadlines stay provisional)", key="calendar.draft", params={"year": parsed.year})])
    return parsed


def stored_day_table(session: Session) -> DayTable | None:
    """The day table as stored, or None when nothing has been loaded (fresh database)."""
    years = list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))
    if not years:
        return None
    by_year: dict[int, dict[date, Day]] = {y.year: {} for y in years}
    for row in session.scalars(select(CalendarDay)):
        by_year[row.year][row.day] = Day(DayKind(row.kind), row.name)
    tables = [DayTable([y.year], by_year[y.year], [y.year] if y.status == "draft" else []) for y in years]
    return merge_tables(*tables)


def _revision(session: Session) -> tuple[int, str]:
    count, latest = session.execute(select(func.count(), func.max(CalendarYear.loaded_at))).one()
    return int(count or 0), str(latest)


def _working_hours(session: Session) -> tuple[int, WorkingHoursConfig]:
    deployment = session.scalars(select(Deployment).order_by(Deployment.id.desc()).limit(1)).first()
    text = (deployment.files or {}).get(WORKING_HOURS_FILE) if deployment else None
    return (deployment.id if deployment else 0), (load_working_hours(text) if text else WorkingHoursConfig())


class _Cache:
    """Per-process cache of the built day table and working hours, keyed by database and revision."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tables: dict[str, tuple[tuple[int, str], DayTable]] = {}
        self.hours: dict[str, tuple[int, WorkingHoursConfig]] = {}


_cache = _Cache()


def current_day_table(session: Session) -> DayTable:
    """The stored table (rebuilt only when a year was loaded since), or chinese_calendar's when empty."""
    url = str(session.get_bind().url)
    revision = _revision(session)
    with _cache.lock:
        cached = _cache.tables.get(url)
        if cached and cached[0] == revision:
            return cached[1]
    table = stored_day_table(session) or day_table_from_chinese_calendar(supported_years())
    with _cache.lock:
        _cache.tables[url] = (revision, table)
    return table


def calendar_for(session: Session, organisation: str | None = None) -> BusinessCalendar:
    """The business calendar for an organisation (a department code): its working hours, the stored days."""
    from engine.config import settings

    url = str(session.get_bind().url)
    deployment_id = session.scalar(select(func.max(Deployment.id)))
    with _cache.lock:
        cached_hours = _cache.hours.get(url)
    if cached_hours is None or cached_hours[0] != (deployment_id or 0):
        cached_hours = _working_hours(session)
        with _cache.lock:
            _cache.hours[url] = cached_hours
    hours = cached_hours[1].for_organisation(organisation)
    return BusinessCalendar(current_day_table(session), hours, settings().timezone)


def install_default_calendar(session: Session) -> BusinessCalendar:
    """Make the sandbox helpers (add_working_days & co.) use the stored calendar in this process."""
    calendar = calendar_for(session)
    set_default_calendar(calendar)
    return calendar


def clear_cache() -> None:
    with _cache.lock:
        _cache.tables.clear()
        _cache.hours.clear()


def month_days(session: Session, year: int, month: int) -> list[DayRow]:
    """Every date of a month with its kind, for `casegrid calendar show YYYY-MM`."""
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise InvalidInput(f"no such month {year}-{month:02d}", {"month": ["expected YYYY-MM"]})
    calendar = calendar_for(session)
    table = calendar.day_table
    rows = []
    d = date(year, month, 1)
    while d.month == month:
        day = table[d] if d in table else None
        kind = day.kind.value if day else ("weekend" if d.weekday() >= 5 else "workday") + " (not loaded)"
        rows.append(DayRow(d, kind, day.name if day else None, calendar.is_working_day(d)))
        d = date.fromordinal(d.toordinal() + 1)
    return rows


def loaded_years(session: Session) -> list[CalendarYear]:
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))
