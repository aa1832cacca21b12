"""The case list (visibility from engine.org.access, the one access specification) and who may start which process."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from engine.org.abilities import Ability
from engine.org.access import Actor, case_visible, case_visible_parts
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


def page_of_visible_cases(session: Session, actor: Actor, query: Select[tuple[Case]], offset: int,
                          limit: int) -> tuple[list[Case], Total]:
    """One page, newest first, of the cases of `query` (not yet narrowed by visibility) that `actor` may
    see, with its bounded total. The page is `query` narrowed by case_visible, as every case check is; the
    total counts the same cases as case_visible_parts, so that what an index serves (the actor's
    department) fills the bound before cases are checked one by one (docs/performance.md)."""
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
