"""Year files: one year's holidays and make-up workdays as the State Council publishes them.

Format (YAML, one file per year, ``rules/calendar/cn-YYYY.yaml``)::

    year: 2026
    status: official            # official | draft (draft files are refused unless allow_draft)
    source: 国务院办公厅关于2026年部分节假日安排的通知   # required when official
    published: 2025-11-04       # optional
    holidays:                   # 放假 spans, inclusive, as written in the notice
      - {name: 国庆节, from: 2026-10-01, to: 2026-10-07, days: 7}   # days = "共7天", checked
    makeup_workdays:            # 调休上班 weekend days
      - {date: 2026-09-20, name: 国庆节}

Every date must lie in ``year`` or in December of the year before (a notice may start the New
Year holiday, or put a make-up workday, there). Weekdays not listed are workdays, Saturdays and
Sundays not listed are weekend days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from engine.calendar.days import Day, DayKind, DayTable
from engine.errors import DefinitionInvalid, Problem, parse_params
from engine.yamltext import load_yaml

STATUSES = ("official", "draft")
_TOP_KEYS = {"year", "status", "source", "published", "note", "holidays", "makeup_workdays"}
_HOLIDAY_KEYS = {"name", "from", "to", "days"}
_MAKEUP_KEYS = {"date", "name"}


class DraftYearRefused(DefinitionInvalid):
    """A draft year file was loaded without ``allow_draft=True``."""


@dataclass(frozen=True)
class YearFile:
    year: int
    status: str
    source: str | None
    published: date | None
    table: DayTable

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def _read(path_or_text: str | Path) -> tuple[str, str]:
    """(file label for messages, YAML text). A Path, or a str without a newline, is a path."""
    if isinstance(path_or_text, Path) or "\n" not in path_or_text:
        path = Path(path_or_text)
        return path.name, path.read_text(encoding="utf-8")
    return "<text>", path_or_text


def _as_date(value: Any) -> date | None:
    # PyYAML already turns unquoted 2026-10-01 into a date; accept quoted ISO strings too.
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


class _Parser:
    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def problem(self, element: str | None, message: str, *, key: str, params: dict[str, Any] | None = None) -> None:
        self.problems.append(Problem(self.label, element, message, key=key, params=params or {}))

    def date_in_range(self, element: str, value: Any, year: int) -> date | None:
        d = _as_date(value)
        if d is None:
            self.problem(element, f"{value!r} is not a date (YYYY-MM-DD)", key="calendar.not_a_date", params={"value": repr(value)})
            return None
        if not (d.year == year or (d.year == year - 1 and d.month == 12)):
            self.problem(element, f"{d} is outside {year} (only December {year - 1} may spill over)", key="calendar.outside_year", params={"day": str(d), "year": year})
            return None
        return d

    def parse(self, text: str) -> YearFile | None:
        try:
            doc = load_yaml(text)
        except yaml.YAMLError as exc:
            self.problem(None, f"not valid YAML: {exc}", key="file.not_yaml", params=parse_params(exc))
            return None
        if not isinstance(doc, dict):
            self.problem(None, "a year file is a YAML mapping", key="calendar.year_shape")
            return None
        for key in sorted(set(doc) - _TOP_KEYS, key=str):
            self.problem(str(key), f"unknown key (expected one of {sorted(_TOP_KEYS)})", key="calendar.unknown_key", params={"expected": ", ".join(sorted(_TOP_KEYS))})
        year = doc.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2200:
            self.problem("year", f"year must be an integer year, got {year!r}", key="calendar.year_not_int", params={"value": repr(year)})
            return None
        status = doc.get("status")
        if status not in STATUSES:
            self.problem("status", f"status must be one of {list(STATUSES)}, got {status!r}", key="calendar.status_unknown", params={"value": repr(status), "allowed": ", ".join(STATUSES)})
        source = doc.get("source")
        if status == "official" and not (isinstance(source, str) and source.strip()):
            self.problem("source", "an official year file names its source (the notice)", key="calendar.no_source")
        published = doc.get("published")
        if published is not None and _as_date(published) is None:
            self.problem("published", f"{published!r} is not a date", key="calendar.published_not_date", params={"value": repr(published)})

        exceptions: dict[date, Day] = {}
        holidays = doc.get("holidays") or []
        if not isinstance(holidays, list):
            self.problem("holidays", "holidays is a list", key="calendar.holidays_shape")
            holidays = []
        for i, entry in enumerate(holidays):
            self._holiday(f"holidays[{i}]", entry, year, exceptions)
        makeups = doc.get("makeup_workdays") or []
        if not isinstance(makeups, list):
            self.problem("makeup_workdays", "makeup_workdays is a list", key="calendar.makeups_shape")
            makeups = []
        for i, entry in enumerate(makeups):
            self._makeup(f"makeup_workdays[{i}]", entry, year, exceptions)
        if self.problems:
            return None
        draft = [year] if status == "draft" else []
        return YearFile(
            year=year,
            status=str(status),
            source=source if isinstance(source, str) else None,
            published=_as_date(published),
            table=DayTable([year], exceptions, draft),
        )

    def _holiday(self, where: str, entry: Any, year: int, out: dict[date, Day]) -> None:
        if not isinstance(entry, dict):
            self.problem(where, "a holiday is a mapping {name, from, to, days}", key="calendar.holiday_shape")
            return
        for key in sorted(set(entry) - _HOLIDAY_KEYS, key=str):
            self.problem(f"{where}.{key}", "unknown key", key="calendar.unknown_entry_key", params={"name": str(key)})
        name = entry.get("name")
        if not (isinstance(name, str) and name.strip()):
            self.problem(f"{where}.name", "name is required (e.g. 国庆节)", key="calendar.holiday_no_name")
            return
        start = self.date_in_range(f"{where}.from", entry.get("from"), year)
        end = self.date_in_range(f"{where}.to", entry.get("to", entry.get("from")), year)
        if start is None or end is None:
            return
        if end < start:
            self.problem(where, f"to ({end}) is before from ({start})", key="calendar.to_before_from", params={"start": str(start), "end": str(end)})
            return
        span = (end - start).days + 1
        days = entry.get("days")
        if days is not None and days != span:
            self.problem(f"{where}.days", f"days says {days} but {start}..{end} is {span} days", key="calendar.days_mismatch", params={"days": days, "start": str(start), "end": str(end), "span": span})
        d = start
        while d <= end:
            if d in out:
                self.problem(where, f"{d} is listed twice", key="calendar.day_twice", params={"day": str(d)})
            out[d] = Day(DayKind.HOLIDAY, name.strip())
            d += timedelta(days=1)

    def _makeup(self, where: str, entry: Any, year: int, out: dict[date, Day]) -> None:
        if not isinstance(entry, dict):
            self.problem(where, "a make-up workday is a mapping {date, name}", key="calendar.makeup_shape")
            return
        for key in sorted(set(entry) - _MAKEUP_KEYS, key=str):
            self.problem(f"{where}.{key}", "unknown key", key="calendar.unknown_entry_key", params={"name": str(key)})
        name = entry.get("name")
        if not (isinstance(name, str) and name.strip()):
            self.problem(f"{where}.name", "name is required (the holiday it makes up for)", key="calendar.makeup_no_name")
            return
        d = self.date_in_range(f"{where}.date", entry.get("date"), year)
        if d is None:
            return
        if d.weekday() < 5:
            self.problem(f"{where}.date", f"{d} is a weekday; a make-up workday is a Saturday or Sunday", key="calendar.makeup_weekday", params={"day": str(d)})
            return
        if d in out:
            self.problem(f"{where}.date", f"{d} is also listed as a holiday or twice as a make-up day", key="calendar.makeup_twice", params={"day": str(d)})
            return
        out[d] = Day(DayKind.MAKEUP, name.strip())


def validate_year_file(path_or_text: str | Path) -> list[Problem]:
    """Every problem of a year file, one per line-worthy message; empty when it loads."""
    label, text = _read(path_or_text)
    parser = _Parser(label)
    parser.parse(text)
    return parser.problems


def read_year_file(path_or_text: str | Path) -> YearFile:
    """Parse and validate a year file (draft or not); raises DefinitionInvalid listing problems."""
    label, text = _read(path_or_text)
    parser = _Parser(label)
    parsed = parser.parse(text)
    if parsed is None:
        raise DefinitionInvalid(parser.problems)
    return parsed


def load_year_file(path_or_text: str | Path, *, allow_draft: bool = False) -> DayTable:
    """The DayTable of one year file.

    A ``status: draft`` file is refused unless ``allow_draft``: a draft is a guess, and loading
    it by accident would make 'provisional' deadlines look final. With ``allow_draft`` the year
    is covered but listed in ``draft_years``, so deadlines crossing it stay provisional.
    """
    parsed = read_year_file(path_or_text)
    if parsed.is_draft and not allow_draft:
        label = _read(path_or_text)[0]
        raise DraftYearRefused(
            [Problem(label, "status", f"{parsed.year} is a draft; pass allow_draft=True to use it anyway", key="calendar.draft", params={"year": parsed.year})]
        )
    return parsed.table
