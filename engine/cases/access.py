"""The case list (visibility from engine.org.access, the one access specification) and who may start which process."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from engine.org.abilities import Ability
from engine.org.access import Actor, case_reasons, case_visible, case_visible_parts, reached_item
from engine.store import counting
from engine.store.counting import Total, page_with_total
from engine.store.like import ESCAPE, containing
from engine.store.models.cases import Case

MAX_PAGE = 200


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    process_key: str | None = None
    family: str | None = None
    department: str | None = None
    grid_cell: str | None = None
    category: str | None = None
    text: str | None = None  # business key or title
    opened_from: datetime | None = None
    opened_to: datetime | None = None


def filtered_cases(flt: CaseFilter) -> Select[tuple[Case]]:
    """Every case matching `flt`, whoever asks: narrow it with case_visible (case_query, page_of_visible_cases)."""
    query = select(Case)
    for column, value in ((Case.status, flt.status), (Case.process_key, flt.process_key),
                          (Case.family, flt.family), (Case.department, flt.department),
                          (Case.grid_cell, flt.grid_cell), (Case.category, flt.category)):
        if value:
            query = query.where(column == value)
    if flt.opened_from is not None:
        query = query.where(Case.opened_at >= flt.opened_from)
    if flt.opened_to is not None:
        query = query.where(Case.opened_at < flt.opened_to)
    if flt.text:
        like = containing(flt.text.strip())
        query = query.where(or_(Case.business_key.ilike(like, escape=ESCAPE), Case.title.ilike(like, escape=ESCAPE)))
    return query


def case_query(actor: Actor, flt: CaseFilter) -> Select[tuple[Case]]:
    """The cases matching `flt` that `actor` may see."""
    return filtered_cases(flt).where(case_visible(actor))


NEWEST_FIRST = (Case.opened_at.desc(), Case.id.desc())


def _fixed(number: int) -> Any:
    """A number written into the statement's text (SQLAlchemy renders it when the statement runs)."""
    return bindparam(None, number, type_=Integer, literal_execute=True)


def _newest_by_reason(actor: Actor, upto: int) -> list[Select[tuple[int]]]:
    """For each reason the actor sees a case (engine.org.access case_reasons), the ids of the newest `upto`
    cases it makes visible, read from its index in the case list's order: those of the case's own place
    (department, grid cells) first. The newest `upto` visible cases are among them, each being among the
    newest `upto` cases of one of its reasons."""
    found = case_reasons(actor)
    # The length in the statement's text rather than a parameter: PostgreSQL then plans a prepared list
    # statement once for every person (a plan that reads each reason's index up to that length) instead
    # of planning it anew for some of them and not for others (docs/performance.md, "Fifth round").
    upto = _fixed(upto)
    newest: list[Select[tuple[Any, Any]]] = [
        select(Case.opened_at, Case.id).where(reason).order_by(Case.opened_at.desc(), Case.id.desc()).limit(upto)
        for reason in found.on_case]
    item = reached_item
    # A case once, however many of its tasks give the reason: distinct, in the index's order.
    newest += [select(item.case_opened_at, item.case_id).where(reason).distinct()
               .order_by(item.case_opened_at.desc(), item.case_id.desc()).limit(upto)
               for reason in found.on_task]
    # A subquery each: SQLite allows no LIMIT on a member of a compound select.
    return [select(each.subquery().c[1]) for each in newest]  # type: ignore[misc]


# Built once per actor and length: a statement of a dozen subqueries costs more to build than to run.
@lru_cache(maxsize=512)
def _page_ids(actor: Actor, upto: int) -> Select[tuple[int]]:
    return union_all(*_newest_by_reason(actor, upto))  # type: ignore[return-value]


@lru_cache(maxsize=512)
def _bounded_total(actor: Actor, bound: int) -> Select[tuple[int]]:
    """How many distinct cases the reasons name, up to bound + 1, in one statement: bound + 1 as soon as a
    single reason names more than bound (a busy department: one index's thousand entries; the other
    reasons are then not read), else the distinct ids of all reasons, each read up to bound + 1."""
    each = _newest_by_reason(actor, bound + 1)
    over = [exists(select(literal(1)).select_from(ids.subquery()).offset(_fixed(bound))) for ids in each]
    named = union_all(*each).subquery()
    distinct = select(func.count()).select_from(select(named.c[0]).distinct().limit(_fixed(bound + 1)).subquery())
    return select(case((or_(*over), _fixed(bound + 1)), else_=distinct.scalar_subquery()))


def _page_by_reasons(session: Session, actor: Actor, offset: int, limit: int) -> tuple[list[Case], Total]:
    """Every case the actor may see, one page newest first, and its bounded total, from the reasons'
    indexes: a page reads at most offset + limit entries of each reason, a total bound + 1."""
    ids = list(dict.fromkeys(session.scalars(_page_ids(actor, offset + limit))))
    # The few cases found, ordered by their own opening: a lookup by id each.
    rows = list(session.scalars(select(Case).where(Case.id.in_(ids)).order_by(*NEWEST_FIRST)
                                .offset(offset).limit(limit))) if ids else []
    if len(rows) < limit and (rows or offset == 0):
        return rows, Total(offset + len(rows))
    bound = max(counting.COUNT_BOUND, offset + limit)
    counted = session.scalar(_bounded_total(actor, bound)) or 0
    return rows, Total(bound, at_least=True) if counted > bound else Total(counted)


def page_of_visible_cases(session: Session, actor: Actor, query: Select[tuple[Case]], offset: int,
                          limit: int) -> tuple[list[Case], Total]:
    """One page, newest first, of the cases of `query` (not yet narrowed by visibility) that `actor` may
    see, with its bounded total.

    The whole list of an actor who does not see all (no filter) is read by the reasons they see a case
    (case_reasons: case_visible's conditions taken apart), each from an index in the list's order, so
    that a person who sees few cases of a long history does not walk all of it (docs/performance.md,
    "Fifth round"). A filtered list (a search) is `query` narrowed by case_visible, as every case
    check is, newest first; its total counts the same cases as case_visible_parts, so that what an
    index serves (the actor's department) fills the bound before cases are checked one by one."""
    if not actor.sees_all and query.whereclause is None:
        return _page_by_reasons(session, actor, offset, limit)
    return page_with_total(session, query.where(case_visible(actor)), NEWEST_FIRST, offset, limit,
                           parts=[query.where(part) for part in case_visible_parts(actor)])


def list_visible_cases(session: Session, actor: Actor, flt: CaseFilter, limit: int = 50,
                       offset: int = 0) -> tuple[list[Case], Total]:
    """The cases `actor` may see, newest first, with the total for paging (bounded: engine.store.counting)."""
    limit = max(1, min(limit, MAX_PAGE))
    return page_of_visible_cases(session, actor, filtered_cases(flt), offset, limit)


def may_start(actor: Actor, start_lane: str | None, starters: frozenset[str] = frozenset()) -> bool:
    """Who may open a case: holders of a role that may start_any; else the start event's `starters` roles
    when it names any (a report may come in through several desks), else holders of its lane's role (or
    members of that department); a start event with neither is open to all."""
    if actor.may(Ability.START_ANY):
        return True
    if starters:
        return bool(starters & actor.role_codes)
    if not start_lane:
        return True
    return actor.has_role(start_lane) or actor.department == start_lane
