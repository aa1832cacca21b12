"""Totals for list pages that stay cheap however long the history: counted up to a bound, then "N+".

An exact `count(*)` of what a supervisor (who sees every case) or a handler (whose department's tasks
reach back years) may see reads every matching row, so its cost grows with the history while the page
itself reads twenty rows. A page needs the number to draw its pager and to say how much there is;
beyond a thousand, "1,000+" says that as well (the UI writes "1,000+ 件").
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, union_all
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


def bounded_count(session: Session, query: Select[Any], offset: int = 0, limit: int = 0,
                  parts: Sequence[Select[Any]] = ()) -> Total:
    """How many rows `query` yields, counted up to COUNT_BOUND or the end of the page asked for
    (a page past the bound still gets a pager), whichever is more.

    `parts`, when given, are disjoint queries whose rows together are `query`'s: they are counted in
    turn, each up to the bound, and the count stops as soon as the bound is passed. Put first a part an
    index serves (a handler's department: a thousand index entries) and last the part that must be read
    row by row (cases seen through a task of theirs), and the walk is taken only when the first parts
    do not fill the bound."""
    bound = max(COUNT_BOUND, offset + limit)

    def constant_rows(counted: Select[Any]) -> Select[Any]:
        # Counting a constant instead of the listed columns lets PostgreSQL answer from an index alone
        # (an index-only scan that stops at the bound) where the filter's columns are indexed.
        return counted.with_only_columns(literal_column("1"), maintain_column_froms=True).limit(bound + 1)

    if len(parts) > 1:
        # Each part as a subquery with its own limit (SQLite allows no LIMIT on a member of a compound
        # select), appended in order: PostgreSQL's Append reads a part only when the ones before it ran out.
        each = [select(literal_column("1")).select_from(constant_rows(part).subquery()) for part in parts]
        rows = select(literal_column("1")).select_from(union_all(*each).subquery()).limit(bound + 1)
    else:
        rows = constant_rows(parts[0] if parts else query)
    counted = session.scalar(select(func.count()).select_from(rows.subquery())) or 0
    return Total(bound, at_least=True) if counted > bound else Total(counted)


def page_with_total(session: Session, query: Select[Any], order_by: Sequence[ColumnElement[Any]], offset: int,
                    limit: int, parts: Sequence[Select[Any]] = ()) -> tuple[list[Any], Total]:
    """One page of `query` and its total. A page that is not full ends the list, so its total is known
    without counting (most inboxes and searches fit on one page); otherwise the bounded count (of
    `parts`, when given: bounded_count)."""
    rows = list(session.scalars(query.order_by(*order_by).limit(limit).offset(offset)))
    if len(rows) < limit and (rows or offset == 0):
        return rows, Total(offset + len(rows))
    return rows, bounded_count(session, query, offset, limit, parts)
