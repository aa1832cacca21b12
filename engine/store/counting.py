"""Totals for list pages that stay cheap however long the history: counted up to a bound, then "N+".

An exact `count(*)` of what a supervisor (who sees every case) or a handler (whose department's tasks
reach back years) may see reads every matching row, so its cost grows with the history while the page
itself reads twenty rows. A page needs the number to draw its pager and to say how much there is;
beyond a thousand, "1,000+" says that as well (the UI writes "1,000+ 件").
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

COUNT_BOUND = 1000


class Total(int):
    """A row count; `at_least` when more rows match than were counted (the value is then the bound)."""

    at_least: bool

    def __new__(cls, value: int, at_least: bool = False) -> Total:
        made = super().__new__(cls, value)
        made.at_least = at_least
        return made

    def __repr__(self) -> str:
        return f"{int(self)}+" if self.at_least else str(int(self))


def bounded_count(session: Session, query: Select[Any], offset: int = 0, limit: int = 0) -> Total:
    """How many rows `query` yields, counted up to COUNT_BOUND or the end of the page asked for
    (a page past the bound still gets a pager), whichever is more."""
    bound = max(COUNT_BOUND, offset + limit)
    counted = session.scalar(select(func.count()).select_from(query.limit(bound + 1).subquery())) or 0
    return Total(bound, at_least=True) if counted > bound else Total(counted)
