"""Who may see and who may work which case and task: the one access specification.

Each rule is written once, as a SQL condition built from the actor and the organisation's role
declarations (`sees`, `oversees` in rules/organisation.yaml, see docs/organisation.md). Lists filter
with the condition; the check for one object runs the same condition restricted to that row's id, so
a list never shows what its page refuses, and a page never opens what its list hides.

- a case is visible to whoever opened it; to whoever is assigned, did, or is a candidate for one of
  its tasks (named, or holding the lane's role in the task's department / grid cell: colleagues who
  could have claimed it are who a transfer goes to); and to holders of a role that sees all cases,
  or those routed to or with a task in their department (`department`), or in their grid cells
  (`scope`);
- a task is visible with its case (the case page links its tasks; a task page shows its case);
- a task may be worked by its assignee, or, while unclaimed, by its candidates.

Refusals follow one policy: what the actor may not see is NotFound, exactly as a missing id (ids must
not leak which cases exist); what they may see but not work is Forbidden; a task no longer open is
Conflict.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from engine.errors import Conflict, Forbidden, NotFound
from engine.org.abilities import REFUSAL_KEYS, Ability
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    username: str
    department: str | None = None
    roles: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)
    # Grid cells, communities and streets a scoped role covers, expanded downwards.
    scopes: frozenset[str] = field(default_factory=frozenset)
    # (role, sees, oversees) for each held role, as the organisation declares it.
    reach: frozenset[tuple[str, str, str | None]] = field(default_factory=frozenset)
    # The features the held roles open (their `may` lists), engine.org.abilities.
    abilities: frozenset[Ability] = field(default_factory=frozenset)

    @property
    def role_codes(self) -> set[str]:
        return {role for role, _scope in self.roles}

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    @property
    def is_system(self) -> bool:
        return self.username == SYSTEM

    def sees(self, level: str) -> bool:
        return any(sees == level for _role, sees, _oversees in self.reach)

    @property
    def sees_all(self) -> bool:
        return self.is_system or self.sees("all")

    def oversees(self, level: str) -> bool:
        return self.is_system or any(oversees == level for _role, _sees, oversees in self.reach)

    def may(self, ability: Ability | str) -> bool:
        """Whether a held role opens `ability`; a name that is no ability is a ValueError, not a quiet no."""
        return self.is_system or Ability(ability) in self.abilities

    @property
    def cell_bound_roles(self) -> set[str]:
        """Roles whose reach is their scope: held without one, they cover no grid cell."""
        return {role for role, sees, _oversees in self.reach if sees == "scope"}


def system_actor() -> Actor:
    """The worker, timers and reactions: no role of the organisation, every reach and every ability."""
    return Actor(SYSTEM, reach=frozenset({(SYSTEM, "all", "all")}), abilities=frozenset(Ability))


def require_ability(actor: Actor, ability: Ability) -> None:
    """Forbidden, with the ability's error key, unless one of the actor's roles opens `ability`."""
    if not actor.may(ability):
        raise Forbidden(f"{actor.username} may not use {ability.value}: no role of theirs declares it "
                        "(may in rules/organisation.yaml)", key=REFUSAL_KEYS.get(ability))


def may_report(actor: Actor, lane: str | None) -> bool:
    """Who may report into a case they see what it waits for (an agency finished, the grade changed): the
    holders of the role whose lane the catch event is drawn in, as a lane's tasks are its role's; whoever
    oversees every lane; the system. A catch event in no lane takes reports from anyone who sees the case.
    The case page offers and the command accepts by this one rule (engine.cases.view, engine.commands.messages)."""
    return lane is None or actor.has_role(lane) or actor.may(Ability.OVERSEE_EVERY_LANE)


# --- conditions -------------------------------------------------------------------------------------
# SQL expressions are immutable: each actor's is built once and reused (a page checks several objects,
# a test drives every user over every row), which saves most of a one-row check's cost.
_cached = lru_cache(maxsize=512)


# The work items a case-visibility check looks into: an alias of its own, so the condition can sit
# inside a query on work_items (a task is visible with its case) without correlating to it.
_item = aliased(WorkItem, name="involved_item")


def _named_candidate(actor: Actor, item: Any = WorkItem) -> ColumnElement[bool]:
    # candidate_users is a JSON list of strings: match the username as JSON writes it, quotes included.
    quoted = json.dumps(actor.username)
    pattern = "%" + quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return cast(item.candidate_users, String).like(pattern, escape="\\")


def _lane_holder(actor: Actor, item: Any = WorkItem) -> ColumnElement[bool]:
    """The actor holds the item's lane role in the item's department and grid cell."""
    cell_bound = actor.cell_bound_roles
    parts: list[ColumnElement[bool]] = []
    for role, scope in actor.roles:
        conditions = [item.role == role]
        if scope is not None:
            conditions.append(or_(item.grid_cell.is_(None), item.grid_cell.in_(actor.scopes)))
        elif role in cell_bound:
            conditions.append(item.grid_cell.is_(None))
        conditions.append(or_(item.department.is_(None), item.department == actor.department,
                              item.department == scope))
        parts.append(and_(*conditions))
    # A task without a lane role is its department's (everyone's when it names none).
    parts.append(and_(item.role.is_(None),
                      or_(item.department.is_(None), item.department == actor.department)))
    return or_(*parts)


def _candidate(actor: Actor, item: Any = WorkItem) -> ColumnElement[bool]:
    return or_(_named_candidate(actor, item), _lane_holder(actor, item))


@_cached
def task_candidate(actor: Actor) -> ColumnElement[bool]:
    """Named candidate, or a holder of the lane's role in the item's department/grid cell."""
    return _candidate(actor)


@_cached
def task_workable(actor: Actor) -> ColumnElement[bool]:
    """A claimed item is its assignee's alone; an unclaimed one any candidate's (the status is not
    part of it: a closed task is a conflict, not a refusal)."""
    if actor.is_system:
        return true()
    return or_(WorkItem.assignee == actor.username,
               and_(WorkItem.assignee.is_(None), task_candidate(actor)))


def _involved(actor: Actor, item: Any) -> ColumnElement[bool]:
    """The actor's own part in a task: assigned it, did it, or could take it."""
    return or_(item.assignee == actor.username, item.completed_by == actor.username, _candidate(actor, item))


# Both visibility conditions look into the other table row by row (`EXISTS … WHERE id = outer id`, an
# index lookup) rather than collecting every matching id first (`id IN (SELECT …)`): the set of tasks a
# handler's role reaches grows with the whole history, the rows a page or a bounded count looks at do
# not. `OFFSET 0` keeps PostgreSQL from turning the EXISTS back into a hashed set of all of them, which
# its planner prefers when it does not see that a page stops after a few rows (bench/overview_bench.py).

def _case_reach(actor: Actor) -> tuple[list[ColumnElement[bool]], ColumnElement[bool]]:
    """Why a case is visible to an actor who does not see all: the conditions on the case's own indexed
    columns (its department, its grid cell), and the rest (they opened it, or have a part in one of its
    tasks)."""
    in_reach = [_involved(actor, _item)]
    indexed: list[ColumnElement[bool]] = []
    if actor.sees("department") and actor.department:
        indexed.append(Case.department == actor.department)
        in_reach.append(_item.department == actor.department)
    if actor.sees("scope") and actor.scopes:
        indexed.append(Case.grid_cell.in_(actor.scopes))
        in_reach.append(_item.grid_cell.in_(actor.scopes))
    involved = exists(select(literal(1)).select_from(_item).where(_item.case_id == Case.id, or_(*in_reach)).offset(0))
    return indexed, or_(Case.opened_by == actor.username, involved)


@_cached
def case_visible(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_all:
        return true()
    indexed, rest = _case_reach(actor)
    return or_(*indexed, rest)


def _unless(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """NOT condition, where unknown (a case with no department, no grid cell) counts as not met."""
    return not_(func.coalesce(condition, false()))


@_cached
def case_visible_parts(actor: Actor) -> tuple[ColumnElement[bool], ...]:
    """`case_visible(actor)` as disjoint conditions whose union it is, those an index on `cases` serves
    first: the actor's department's cases, then their grid cells' (not already counted), then the rest
    (neither), which is read case by case with a look into its tasks. A bounded count takes the parts in
    turn (engine.store.counting), so a handler's count of "1,000+" reads a thousand entries of the
    department index instead of checking the twenty thousand newest cases of every department."""
    if actor.sees_all:
        return (true(),)
    indexed, rest = _case_reach(actor)
    parts, earlier = [], []
    for condition in (*indexed, rest):
        parts.append(and_(condition, *(_unless(other) for other in earlier)))
        earlier.append(condition)
    return tuple(parts)


# The work items a list reads a person's reasons from (engine.cases.access): an alias of its own, as above.
reached_item = aliased(WorkItem, name="reached_item")


@dataclass(frozen=True)
class CaseReasons:
    """`case_visible(actor)` as a union of simple conditions, each of which an index serves in the case
    list's order (newest first): on the case itself (`on_case`: they opened it, its department, one of
    their grid cells) and on one of its tasks (`on_task`, over `reached_item`: assigned, done by, naming
    them, one lane they hold in one department, the department's or a grid cell's tasks). A case is
    visible exactly when one of them holds. `indexed` is how many of `on_case` come first and are
    about the case's place (department, grid cells)."""

    on_case: tuple[ColumnElement[bool], ...]
    on_task: tuple[ColumnElement[bool], ...]
    indexed: int


def _lane_reasons(actor: Actor, item: Any) -> list[tuple[str | None, ColumnElement[bool]]]:
    """`_lane_holder` split by the task's department (none, the actor's, the role's scope), each an
    equality an index on (role, department, case order) serves, with that department; the grid-cell
    conditions stay as they are."""
    cell_bound = actor.cell_bound_roles
    reasons: list[tuple[str | None, ColumnElement[bool]]] = []
    for role, scope in sorted(actor.roles, key=lambda held: (held[0], held[1] or "")):
        cell: list[ColumnElement[bool]] = []
        if scope is not None:
            cell.append(or_(item.grid_cell.is_(None), item.grid_cell.in_(actor.scopes)))
        elif role in cell_bound:
            cell.append(item.grid_cell.is_(None))
        for department in dict.fromkeys((None, actor.department, scope)):
            at = item.department.is_(None) if department is None else item.department == department
            reasons.append((department, and_(item.role == role, at, *cell)))
    for department in dict.fromkeys((None, actor.department)):
        at = item.department.is_(None) if department is None else item.department == department
        reasons.append((department, and_(item.role.is_(None), at)))
    return reasons


@_cached
def case_reasons(actor: Actor) -> CaseReasons:
    """Why a case is visible to an actor who does not see all, one index-served condition per reason:
    the same conditions as case_visible (`_case_reach`), taken apart (tests/access check that a list
    built from them is exactly case_visible's, for every demo user). A lane in the actor's own
    department is left out when they see their department's tasks anyway (it is part of that reason)."""
    if actor.sees_all:
        raise ValueError("an actor who sees all cases needs no reasons")
    item = reached_item
    on_case: list[ColumnElement[bool]] = []
    on_task: list[ColumnElement[bool]] = [item.assignee == actor.username, item.completed_by == actor.username,
                                          _named_candidate(actor, item)]
    lanes = _lane_reasons(actor, item)
    if actor.sees("department") and actor.department:
        on_case.append(Case.department == actor.department)
        on_task.append(item.department == actor.department)
        lanes = [lane for department, lane in lanes if department != actor.department]
    else:
        lanes = [lane for _department, lane in lanes]
    on_task.extend(lanes)
    if actor.sees("scope") and actor.scopes:
        for cell in sorted(actor.scopes):
            on_case.append(Case.grid_cell == cell)
            on_task.append(item.grid_cell == cell)
    indexed = len(on_case)
    on_case.append(Case.opened_by == actor.username)
    return CaseReasons(tuple(on_case), tuple(on_task), indexed)


@_cached
def task_visible(actor: Actor) -> ColumnElement[bool]:
    """A task is seen with its case: the case page lists and links its tasks, and a task page shows
    its case, so the two can never disagree."""
    if actor.sees_all:
        return true()
    return exists(select(literal(1)).select_from(Case)
                  .where(Case.id == WorkItem.case_id, case_visible(actor)).offset(0).correlate_except(Case))


# --- one object ---------------------------------------------------------------------------------------

def access_flag(condition: ColumnElement[bool]) -> Any:
    """A condition as a column: to read whether the actor may see or work a row with the row itself."""
    return case((condition, literal(True)), else_=literal(False))


_flag = access_flag


# One-object checks run on every page: their statements are built once per actor with the object's id as a
# parameter, so SQLAlchemy finds its compiled form by a key it has already computed instead of walking the
# whole access condition again for every check.
@_cached
def _case_seen_statement(actor: Actor) -> Select[tuple[int]]:
    return select(Case.id).where(Case.id == bindparam("case_id"), case_visible(actor))


@_cached
def _task_seen_statement(actor: Actor) -> Select[tuple[str]]:
    return select(WorkItem.id).where(WorkItem.id == bindparam("item_id"), task_visible(actor))


@_cached
def _task_access_statement(actor: Actor) -> Select[tuple[Any, Any]]:
    return select(_flag(task_visible(actor)), _flag(task_workable(actor))).where(WorkItem.id == bindparam("item_id"))


def may_see_case(session: Session, actor: Actor, case_id: int) -> bool:
    if actor.sees_all:
        return session.get(Case, case_id) is not None
    return session.scalar(_case_seen_statement(actor), {"case_id": case_id}) is not None


def task_access(session: Session, actor: Actor, item_id: str) -> tuple[bool, bool] | None:
    """(may see, may work) the item, in one query; None when it does not exist."""
    row = session.execute(_task_access_statement(actor), {"item_id": item_id}).first()
    return None if row is None else (bool(row[0]), bool(row[1]))


def may_see_task(session: Session, actor: Actor, item_id: str) -> bool:
    return session.scalar(_task_seen_statement(actor), {"item_id": item_id}) is not None


def may_work_task(session: Session, actor: Actor, item_id: str) -> bool:
    return bool((task_access(session, actor, item_id) or (False, False))[1])


def workable_among(session: Session, actor: Actor, item_ids: Iterable[str]) -> set[str]:
    """Which of these items the actor may work: one query for a whole inbox page."""
    ids = list(item_ids)
    if not ids:
        return set()
    return set(session.scalars(select(WorkItem.id).where(WorkItem.id.in_(ids), task_workable(actor))))


def visible_cases_among(session: Session, actor: Actor, case_ids: Iterable[int]) -> set[int]:
    """Which of these cases (and so their tasks) the actor may open: one query for a whole list of links."""
    ids = list(set(case_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Case.id).where(Case.id.in_(ids), case_visible(actor))))


def could_work_unclaimed(session: Session, actor: Actor, item_id: str) -> bool:
    """Whether the actor is a candidate of the item, whoever holds it now: who a transfer may go to."""
    return session.scalar(select(WorkItem.id).where(WorkItem.id == item_id, task_candidate(actor))) is not None


def candidate_among(session: Session, actor: Actor, item_ids: Iterable[str]) -> set[str]:
    """Which of these items the actor is a candidate of, whoever holds them now (could_work_unclaimed for
    a whole list, in one query)."""
    ids = list(item_ids)
    if not ids:
        return set()
    return set(session.scalars(select(WorkItem.id).where(WorkItem.id.in_(ids), task_candidate(actor))))


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, or NotFound (also when it exists but the actor may not see it)."""
    found = session.get(Case, case_id)
    if found is None or not may_see_case(session, actor, case_id):
        raise NotFound(f"case {case_id} does not exist", key="case.not_found")
    return found


def visible_task(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """The item, or NotFound (also when it exists but the actor may not see it)."""
    item = session.get(WorkItem, item_id)
    if item is None or not may_see_task(session, actor, item_id):
        raise NotFound(f"task {item_id} does not exist", key="task.not_found")
    return item


def check_workable(session: Session, actor: Actor, item: WorkItem,
                   access: tuple[bool, bool] | None = None) -> None:
    """NotFound if the actor may not see the item, Conflict if it is no longer open, Forbidden if they
    may see but not work it. `access` is (may see, may work) when the caller read it with the item."""
    if access is None:
        access = task_access(session, actor, item.id)
    if access is None or not access[0]:
        raise NotFound(f"task {item.id} does not exist", key="task.not_found")
    if item.status != WorkItemStatus.OPEN:
        who = f" by {item.completed_by}" if item.completed_by else ""
        raise Conflict(f"task '{item.task_name}' is already {item.status}{who}", key="task.closed",
                       params={"task": item.task_name, "task_status": item.status, "by_user": item.completed_by})
    if not access[1]:
        raise Forbidden(f"you may not work task '{item.task_name}'", key="task.forbidden",
                        params={"task": item.task_name})

