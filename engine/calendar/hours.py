"""Working hours: the periods of a working day during which the clock runs, per organisation.

Config (``rules/calendar/working_hours.yaml``)::

    default: ["09:00-12:00", "14:00-18:00"]
    organisations:
      some-department: ["08:30-12:00", "14:30-17:30"]

Periods are written as quoted "HH:MM-HH:MM" strings on purpose: YAML 1.1 (PyYAML) reads an
unquoted 14:00 as the base-60 integer 840, and a range string cannot be misread that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from engine.errors import DefinitionInvalid, Problem, parse_params
from engine.yamltext import load_yaml

DEFAULT_PERIODS = ("09:00-12:00", "14:00-18:00")


def _parse_time(text: str) -> time:
    hh, mm = text.strip().split(":")
    if len(mm) != 2:
        raise ValueError(text)
    hour, minute = int(hh), int(mm)
    if hour == 24 and minute == 0:
        raise ValueError("24:00 is not supported; end the day at 23:59")
    return time(hour, minute)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class WorkingHours:
    """Non-overlapping, ordered periods [start, end) of one working day, same for every working day."""

    periods: tuple[tuple[time, time], ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working-hour times are local wall-clock times, without tzinfo")
            if not start < end:
                raise ValueError(f"period {start:%H:%M}-{end:%H:%M} is empty or crosses midnight")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"period starting {start:%H:%M} overlaps or is out of order")
            previous_end = end

    @classmethod
    def parse(cls, periods: Iterable[str]) -> WorkingHours:
        """From strings like "09:00-12:00"."""
        parsed: list[tuple[time, time]] = []
        for text in periods:
            if not isinstance(text, str) or text.count("-") != 1:
                raise ValueError(f'{text!r}: a period is a quoted "HH:MM-HH:MM" string')
            a, b = text.split("-")
            try:
                parsed.append((_parse_time(a), _parse_time(b)))
            except ValueError as exc:
                raise ValueError(f'{text!r}: a period is "HH:MM-HH:MM" ({exc})') from exc
        return cls(tuple(parsed))

    @classmethod
    def standard(cls) -> WorkingHours:
        """09:00-12:00, 14:00-18:00: a common government office day (7 working hours)."""
        return cls.parse(DEFAULT_PERIODS)

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day; one working day is this long, not 24 hours."""
        return timedelta(minutes=sum(_minutes(e) - _minutes(s) for s, e in self.periods))

    @property
    def opening(self) -> time:
        return self.periods[0][0]

    @property
    def closing(self) -> time:
        return self.periods[-1][1]

    def intervals_on(self, d: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The aware [start, end) intervals of date d (whether d is a working day is not asked here)."""
        return [
            (datetime.combine(d, s, tzinfo=tz), datetime.combine(d, e, tzinfo=tz)) for s, e in self.periods
        ]

    def contains(self, t: time) -> bool:
        """Whether a local wall-clock time lies inside a period, start included, end excluded."""
        return any(s <= t < e for s, e in self.periods)

    def describe(self) -> list[str]:
        return [f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods]


@dataclass(frozen=True)
class WorkingHoursConfig:
    """Working hours keyed by organisation id, with a default for organisations not listed."""

    default: WorkingHours = field(default_factory=WorkingHours.standard)
    organisations: Mapping[str, WorkingHours] = field(default_factory=lambda: MappingProxyType({}))

    def for_organisation(self, organisation: str | None) -> WorkingHours:
        if organisation is None:
            return self.default
        return self.organisations.get(organisation, self.default)


def _read(path_or_text: str | Path) -> tuple[str, str]:
    if isinstance(path_or_text, Path) or "\n" not in path_or_text:
        path = Path(path_or_text)
        return path.name, path.read_text(encoding="utf-8")
    return "<text>", path_or_text


def _hours(label: str, element: str, value: Any, problems: list[Problem]) -> WorkingHours | None:
    if not isinstance(value, list):
        problems.append(Problem(label, element, 'a list of quoted "HH:MM-HH:MM" periods', key="hours.periods_shape"))
        return None
    try:
        return WorkingHours.parse(value)
    except ValueError as exc:
        problems.append(Problem(label, element, str(exc), key="hours.periods_refused", params={"reason": str(exc)}))
        return None


def load_working_hours(path_or_text: str | Path) -> WorkingHoursConfig:
    """Parse working_hours.yaml (a path, or YAML text containing a newline); raises DefinitionInvalid."""
    label, text = _read(path_or_text)
    problems: list[Problem] = []
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as exc:
        raise DefinitionInvalid([Problem(label, None, f"not valid YAML: {exc}", key="file.not_yaml", params=parse_params(exc))]) from exc
    if not isinstance(doc, dict):
        raise DefinitionInvalid([Problem(label, None, "working hours are a YAML mapping", key="hours.shape")])
    for key in sorted(set(doc) - {"default", "organisations"}, key=str):
        problems.append(Problem(label, str(key), "unknown key (expected default, organisations)", key="hours.unknown_key", params={"name": str(key)}))
    default = _hours(label, "default", doc.get("default", list(DEFAULT_PERIODS)), problems)
    orgs: dict[str, WorkingHours] = {}
    raw_orgs = doc.get("organisations") or {}
    if not isinstance(raw_orgs, dict):
        problems.append(Problem(label, "organisations", "a mapping organisation id -> periods", key="hours.organisations_shape"))
        raw_orgs = {}
    for org, value in raw_orgs.items():
        hours = _hours(label, f"organisations.{org}", value, problems)
        if hours is not None:
            orgs[str(org)] = hours
    if problems or default is None:
        raise DefinitionInvalid(problems)
    return WorkingHoursConfig(default, MappingProxyType(orgs))
