"""The usual day table: chinese_calendar's years, overridden year by year by year files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from engine.calendar.chinese import day_table_from_chinese_calendar, supported_years
from engine.calendar.days import DayTable, merge_tables
from engine.calendar.yearfile import read_year_file


def build_day_table(year_files: Iterable[str | Path] = (), *, allow_draft: bool = False) -> DayTable:
    """chinese_calendar for every year it knows, then each year file replacing its year.

    Year files are applied in year order, so a December spill-over from year Y's notice wins over
    year Y-1's plain days. Draft files are skipped unless ``allow_draft`` (a draft must not
    silently replace confirmed data nor end a deadline's provisional state).
    """
    parsed = sorted((read_year_file(f) for f in year_files), key=lambda yf: yf.year)
    tables = [day_table_from_chinese_calendar(supported_years())]
    tables += [yf.table for yf in parsed if allow_draft or not yf.is_draft]
    return merge_tables(*tables)


def year_files_in(folder: str | Path) -> list[Path]:
    """The year files of a rules folder (cn-YYYY.yaml), sorted."""
    return sorted(Path(folder).glob("cn-[0-9][0-9][0-9][0-9].yaml"))
