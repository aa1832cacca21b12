"""The day table: which calendar dates are working days, and why.

A ``DayTable`` is an immutable ``Mapping[date, Day]`` over every date of the years it covers.
It stores only the exceptions (holidays and make-up workdays); every other covered date is a
``workday`` (Mon-Fri) or a ``weekend`` (Sat/Sun). Dates outside the covered years are not in
the mapping: the business calendar decides what to do with them (weekends only, provisional).
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType


class DayKind(StrEnum):
    WORKDAY = "workday"  # Monday-Friday, not a holiday
    WEEKEND = "weekend"  # Saturday/Sunday, not declared a working day
    HOLIDAY = "holiday"  # a day off of a statutory holiday period (any weekday, incl. 调休 weekdays)
    MAKEUP = "makeup"  # a Saturday/Sunday declared a working day (调休上班)

    @property
    def is_working(self) -> bool:
        return self in (DayKind.WORKDAY, DayKind.MAKEUP)


@dataclass(frozen=True, slots=True)
class Day:
    kind: DayKind
    name: str | None = None  # e.g. 国庆节 for the holiday and for its make-up workdays

    @property
    def is_working(self) -> bool:
        return self.kind.is_working


def plain_day(d: date) -> Day:
    """What a date is when no holiday notice says otherwise (also the rule for unloaded years)."""
    return Day(DayKind.WEEKEND if d.weekday() >= 5 else DayKind.WORKDAY)


def _year_dates(year: int) -> Iterator[date]:
    d = date(year, 1, 1)
    one = timedelta(days=1)
    while d.year == year:
        yield d
        d += one


class DayTable(Mapping[date, Day]):
    """Immutable mapping date → Day for every date of ``years``.

    ``exceptions`` may also hold dates outside ``years`` (a notice for year Y can start the New
    Year holiday or a make-up workday in late December of Y-1); those only take effect once the
    table is merged with one covering that year. ``draft_years`` are covered years whose data is
    not an official publication: the calendar uses the data but marks deadlines provisional.
    """

    __slots__ = ("_exceptions", "_years", "_draft_years")

    def __init__(
        self,
        years: Iterable[int],
        exceptions: Mapping[date, Day] | None = None,
        draft_years: Iterable[int] = (),
    ) -> None:
        exc = dict(exceptions or {})
        for d, day in exc.items():
            if day.kind not in (DayKind.HOLIDAY, DayKind.MAKEUP):
                # Plain kinds are derived from the weekday; storing them would let two
                # tables disagree about a date neither of them has anything to say about.
                if day != plain_day(d):
                    raise ValueError(f"{d}: kind {day.kind} does not match its weekday")
                continue
            if day.kind is DayKind.MAKEUP and d.weekday() < 5:
                raise ValueError(f"{d}: a make-up workday must be a Saturday or Sunday")
        self._exceptions: Mapping[date, Day] = MappingProxyType(
            {d: day for d, day in exc.items() if day.kind in (DayKind.HOLIDAY, DayKind.MAKEUP)}
        )
        self._years = frozenset(years)
        drafts = frozenset(draft_years)
        if not drafts <= self._years:
            raise ValueError(f"draft years {sorted(drafts - self._years)} are not covered years")
        self._draft_years = drafts

    # -- what the table covers -------------------------------------------------------------
    @property
    def years(self) -> frozenset[int]:
        return self._years

    @property
    def draft_years(self) -> frozenset[int]:
        return self._draft_years

    @property
    def confirmed_years(self) -> frozenset[int]:
        return self._years - self._draft_years

    @property
    def exceptions(self) -> Mapping[date, Day]:
        """Holidays and make-up workdays, including spill-over dates outside ``years``."""
        return self._exceptions

    def covers(self, d: date) -> bool:
        return d.year in self._years

    def is_confirmed(self, d: date) -> bool:
        return d.year in self._years and d.year not in self._draft_years

    # -- Mapping ---------------------------------------------------------------------------
    def __getitem__(self, d: date) -> Day:
        if not isinstance(d, date) or d.year not in self._years:
            raise KeyError(d)
        return self._exceptions.get(d) or plain_day(d)

    def __iter__(self) -> Iterator[date]:
        for year in sorted(self._years):
            yield from _year_dates(year)

    def __len__(self) -> int:
        return sum(366 if isleap(y) else 365 for y in self._years)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and d.year in self._years

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DayTable):
            return NotImplemented
        return (
            self._years == other._years
            and self._draft_years == other._draft_years
            and dict(self._exceptions) == dict(other._exceptions)
        )

    def __hash__(self) -> int:
        return hash((self._years, self._draft_years, frozenset(self._exceptions.items())))

    def __repr__(self) -> str:
        drafts = f", draft={sorted(self._draft_years)}" if self._draft_years else ""
        return f"DayTable(years={sorted(self._years)}{drafts}, exceptions={len(self._exceptions)})"

    # -- conveniences ----------------------------------------------------------------------
    def kind_of(self, d: date) -> DayKind:
        """The kind of any date; dates outside the covered years follow the weekend-only rule."""
        return self[d].kind if d in self else plain_day(d).kind

    def is_working_day(self, d: date) -> bool:
        return self.kind_of(d).is_working

    def dates_of(self, kind: DayKind) -> list[date]:
        return [d for d, day in self.items() if day.kind is kind]


def merge_tables(*tables: DayTable) -> DayTable:
    """Combine tables; for each date the table that owns its year decides.

    Precedence, per date d:
    1. the last table (in argument order) whose ``years`` include d.year, if it has an exception
       for d — re-loading a year therefore replaces it, corrections included;
    2. otherwise the last spill-over exception for d from a table that does not cover d.year
       (e.g. a 2019 notice declaring 2018-12-29 a make-up workday);
    3. otherwise the plain weekday rule.
    A year is draft when the last table covering it is draft for it.
    """
    owner: dict[int, DayTable] = {}
    for t in tables:
        for y in t.years:
            owner[y] = t
    exceptions: dict[date, Day] = {}
    for t in tables:  # spill-overs first, so owners overwrite them below
        for d, day in t.exceptions.items():
            if d.year not in t.years:
                exceptions[d] = day
    for y, t in owner.items():
        for d, day in t.exceptions.items():
            if d.year == y:
                exceptions[d] = day
    drafts = {y for y, t in owner.items() if y in t.draft_years}
    return DayTable(owner.keys(), exceptions, drafts)
