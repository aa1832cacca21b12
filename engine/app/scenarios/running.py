"""Perform a scenario's steps through the command layer under a simulated clock and check what it expects.

Time only moves when a step says so. Moving it fires every timer it passes, in due order, at its due
time, exactly as the worker would (engine.commands.timers.fire_due): reminders, warnings, breaches,
escalations, BPMN timers. A refused action or an unmet expectation is a failed line; a failed action also
stops the scenario, since every later step would only report its consequences.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.app.scenarios.clock import after, local, shown
from engine.app.scenarios.format import Scenario, Step
from engine.commands import cases as case_commands
from engine.commands import messages as message_commands
from engine.commands import tasks as task_commands
from engine.commands.timers import fire_due
from engine.errors import CasegridError
from engine.org.access import task_access
from engine.org.service import actor_for, unit_names
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.sla import Escalation
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import TimerStatus, WorkItemStatus

WORKER = "scenario-worker"
MAX_FIRINGS = 10_000
JUST_AFTER = timedelta(microseconds=1)
SLA_WORDS = {"正常": "on_time", "临期": "at_risk", "超期": "overdue", "升级": "escalated", "已暂停": "paused",
             "按时办结": "met", "超期办结": "met_late"}
STATUS_WORDS = {"办理中": "running", "已办结": "completed", "已撤销": "cancelled"}
# What was found, in the words the scenario's author expected in: "expect status 已撤销, found 已办结".
SLA_SAID = {code: word for word, code in SLA_WORDS.items()}
STATUS_SAID = {code: word for word, code in STATUS_WORDS.items()}


@dataclass(frozen=True)
class Line:
    passed: bool
    line: int
    text: str


@dataclass
class ScenarioResult:
    path: str
    name: str
    lines: list[Line] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(line.passed for line in self.lines)


class _Run:
    def __init__(self, db: Database, scenario: Scenario, traveller: Any) -> None:
        self.db, self.scenario, self.traveller = db, scenario, traveller
        self.result = ScenarioResult(scenario.path, scenario.name)
        self.case_id: int | None = None
        self.first_case_id: int | None = None  # cases before it belong to other scenarios of the database

    # -- reporting --------------------------------------------------------------------------------
    def note(self, passed: bool, line: int, text: str) -> bool:
        self.result.lines.append(Line(passed, line, text))
        return passed

    def _command(self, line: int, what: str, command: Callable[[Session], Any], refused: str | None = None) -> bool:
        self.traveller.shift(1)  # one second per action keeps the audit trail in order
        try:
            with self.db.transaction() as session:
                command(session)
        except CasegridError as exc:
            if refused is not None and refused in (exc.code, exc.key):
                return self.note(True, line, f"{what}: refused as expected ({exc.code})")
            return self.note(False, line, f"{what}: refused: {exc.code}: {exc.message}{_details(exc.details)}")
        if refused is not None:
            return self.note(False, line, f"{what}: done, but a refusal ({refused}) was expected")
        return self.note(True, line, what)

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, query: Callable[[Session], Any]) -> Any:
        with self.db.transaction(readonly=True) as session:
            found = query(session)
            session.expunge_all()
            return found

    def _open_items(self, session: Session) -> list[WorkItem]:
        return list(session.scalars(select(WorkItem).where(WorkItem.case_id == self.case_id,
                                                           WorkItem.status == WorkItemStatus.OPEN)
                                    .order_by(WorkItem.created_at, WorkItem.id)))

    @staticmethod
    def _is(item: WorkItem, task: str) -> bool:
        return task in (item.task_name, item.task_spec)

    # -- steps ------------------------------------------------------------------------------------
    def start(self) -> bool:
        scenario = self.scenario

        def run(session: Session) -> None:
            case = case_commands.start(session, actor_for(session, scenario.starter), scenario.process,
                                       scenario.start_data)
            self.case_id = self.first_case_id = case.id

        return self._command(1, f"{scenario.starter} starts {scenario.process}", run)

    def _start_another(self, step: Step) -> bool:
        """Another case, started as the first was; later steps act on it."""
        process, username = str(step.target), step.actor or self.scenario.starter

        def run(session: Session) -> None:
            case = case_commands.start(session, actor_for(session, username), process, step.data)
            self.case_id = case.id

        return self._command(step.line, f"{username} starts {process}", run, step.refused)

    def _follow(self, step: Step) -> bool:
        """Later steps act on the newest case of a process that this scenario's actions started (a hot spot
        the event rules opened, a case a message or a call activity started)."""
        process = str(step.target)
        found = self._read(lambda session: session.execute(
            select(Case.id, Case.business_key).where(Case.process_key == process, Case.id >= (self.first_case_id or 0))
            .order_by(Case.id.desc()).limit(1)).first())
        if found is None:
            return self.note(False, step.line, f"follow {process}: no {process} case was started")
        self.case_id = found.id
        return self.note(True, step.line, f"follow {process} case {found.business_key}")

    def step(self, step: Step) -> bool:
        if step.kind == "expect":
            return all([self._expect(step, name, wanted) for name, wanted in step.target.items()])
        if step.kind == "advance":
            return self._pass_time(step.line, after(datetime.now(UTC), str(step.target)))
        if step.kind == "advance to":
            return self._pass_time(step.line, local(step.target).astimezone(UTC))
        if step.kind == "start":
            return self._start_another(step)
        if step.kind == "follow":
            return self._follow(step)
        if step.kind == "message":
            return self._command(step.line, f"{step.actor} sends {step.target}", lambda session: (
                message_commands.deliver_message(session, actor_for(session, step.actor or "system"), str(step.target),
                                                 case_id=self.case_id, payload=step.data)), step.refused)
        return self._work(step)

    def _work(self, step: Step) -> bool:
        task, username = str(step.target), step.actor or "system"
        verb = "returns" if step.kind == "return" else "completes"

        def pick(session: Session) -> str | None:
            names = unit_names(session)
            mine = [i for i in self._open_items(session) if self._is(i, task)
                    and (step.department is None or step.department in (i.department, names.get(i.department or "", ("",))[0]))]
            actor = actor_for(session, username)
            workable = [i for i in mine if (task_access(session, actor, i.id) or (False, False))[1]]
            chosen = workable or mine
            return chosen[0].id if chosen else None

        try:
            item_id = self._read(pick)
        except CasegridError as exc:  # an unknown user, most likely
            return self.note(False, step.line, f"{username} {verb} {task}: {exc.message}")
        if item_id is None:
            open_now = self._read(lambda session: [i.task_name for i in self._open_items(session)])
            return self.note(False, step.line, f"{username} {verb} {task}: no such open task "
                                               f"(open: {', '.join(open_now) or 'none'})")

        def run(session: Session) -> None:
            actor = actor_for(session, username)
            item = session.get(WorkItem, item_id)
            if item is not None and item.assignee != username and step.refused is None:
                task_commands.claim(session, actor, item_id)
            if step.kind == "return":
                task_commands.return_task(session, actor, item_id, step.data.get("reason", ""))
            else:
                task_commands.complete(session, actor, item_id, step.data)

        return self._command(step.line, f"{username} {verb} {task}", run, step.refused)

    def _pass_time(self, line: int, target: datetime) -> bool:
        now = datetime.now(UTC)
        if target < now:
            return self.note(False, line, f"advance to {shown(target)}: that is before now ({shown(now)})")
        fired = pass_time(self.db, self.traveller, target)
        return self.note(True, line, f"time is now {shown(target)} ({fired} timer(s) fired on the way)")

    # -- expectations -----------------------------------------------------------------------------
    def _expect(self, step: Step, name: str, wanted: Any) -> bool:
        check = getattr(self, f"_expect_{name}")
        passed, found = self._read(lambda session: check(session, wanted))
        text = f"expect {name} {_words(wanted)}" + ("" if passed else f", found {_words(found)}")
        return self.note(passed, step.line, text)

    def _case(self, session: Session) -> Case:
        return session.get(Case, self.case_id)

    def _expect_tasks(self, session: Session, wanted: Any) -> tuple[bool, Any]:
        wanted_list = sorted(str(w) for w in (wanted or []))
        found = sorted(i.task_spec if i.task_spec in wanted_list and i.task_name not in wanted_list else i.task_name
                       for i in self._open_items(session))
        return found == wanted_list, found

    def _per_task(self, session: Session, wanted: dict[str, Any], value: Callable[[WorkItem], Any],
                  same: Callable[[Any, Any], bool]) -> tuple[bool, Any]:
        found: dict[str, Any] = {}
        passed = True
        for task, expected in wanted.items():
            values = [value(i) for i in self._open_items(session) if self._is(i, task)]
            found[task] = values if len(values) != 1 else values[0]
            expected_list = expected if isinstance(expected, list) else [expected]
            passed &= len(values) == len(expected_list) and all(
                any(same(v, e) for v in values) for e in expected_list)
        return passed, found

    def _expect_departments(self, session: Session, wanted: dict[str, Any]) -> tuple[bool, Any]:
        names = unit_names(session)
        return self._per_task(session, wanted, lambda i: names.get(i.department or "", (i.department,))[0],
                              lambda found, want: str(want) == found or names.get(str(want), ("",))[0] == found)

    def _expect_assignees(self, session: Session, wanted: dict[str, Any]) -> tuple[bool, Any]:
        return self._per_task(session, wanted, lambda i: i.assignee, lambda found, want: found == want)

    def _expect_due(self, session: Session, wanted: dict[str, Any]) -> tuple[bool, Any]:
        return self._per_task(session, wanted, lambda i: shown(i.due_at),
                              lambda found, want: found == shown(local(_as_instant(want))) if want else found == "-")

    def _expect_sla(self, session: Session, wanted: dict[str, Any]) -> tuple[bool, Any]:
        escalated = set(session.scalars(select(Escalation.work_item_id).where(Escalation.case_id == self.case_id)))

        def state(item: WorkItem) -> str:
            code = "escalated" if item.id in escalated else item.sla_state
            return SLA_SAID.get(code, code)

        def same(found: str, want: Any) -> bool:
            code, wanted_code = SLA_WORDS.get(found, found), SLA_WORDS.get(str(want), str(want))
            return code == wanted_code or (code == "escalated" and wanted_code == "overdue")

        return self._per_task(session, wanted, state, same)

    def _expect_status(self, session: Session, wanted: Any) -> tuple[bool, Any]:
        status = self._case(session).status
        return STATUS_WORDS.get(str(wanted), str(wanted)) == status, STATUS_SAID.get(status, status)

    def _expect_data(self, session: Session, wanted: dict[str, Any]) -> tuple[bool, Any]:
        data = self._case(session).data or {}
        found = {key: data.get(key) for key in wanted}
        return all(found[k] == v or str(found[k]) == str(v) for k, v in wanted.items()), found

    def _expect_cases(self, session: Session, wanted: dict[str, Any]) -> tuple[bool, Any]:
        found = {process: session.scalar(select(func.count()).select_from(Case).where(
            Case.process_key == process, Case.id >= (self.first_case_id or 0))) for process in wanted}
        return all(found[p] == int(n) for p, n in wanted.items()), found

    def _expect_incidents(self, session: Session, wanted: Any) -> tuple[bool, Any]:
        count = self._case(session).open_incidents
        return count == int(wanted), count


def _details(details: Any) -> str:
    """Field errors of a refused form, so the analyst sees which answer was wrong."""
    if not isinstance(details, dict) or not details:
        return ""
    return " (" + "; ".join(f"{name}: {_words(problem)}" for name, problem in details.items()) + ")"


def _as_instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())


def _words(value: Any) -> str:
    if isinstance(value, datetime):
        return shown(local(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_words(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_words(v) for v in value) + "]"
    return str(value)


def pass_time(db: Database, traveller: Any, target: datetime) -> int:
    """Move the simulated clock to `target`, firing every timer it passes at its due time, in due order, as
    the worker would; returns how many fired."""
    fired = 0
    while fired < MAX_FIRINGS:
        due = _read(db, lambda session: session.scalar(
            select(func.min(Timer.due_at)).where(Timer.status == TimerStatus.PENDING, Timer.due_at <= target)))
        if due is None:
            break
        due = due if due.tzinfo else due.replace(tzinfo=UTC)
        if due >= datetime.now(UTC):
            # Just past the due instant, as a worker always is: SpiffWorkflow fires a BPMN timer only when
            # its time is strictly before now, and a firing at the very instant would mark the row fired
            # while the workflow still waits (the case would never move on).
            traveller.move_to(due + JUST_AFTER)
        taken = fire_due(db, WORKER, datetime.now(UTC))
        fired += taken
        if taken == 0:
            break  # due but left pending by a concurrent change: the next call takes it, never spin
    traveller.move_to(max(target, datetime.now(UTC)))
    return fired + fire_due(db, WORKER, datetime.now(UTC))


def _read(db: Database, query: Callable[[Session], Any]) -> Any:
    with db.transaction(readonly=True) as session:
        return query(session)


def run_scenario(db: Database, scenario: Scenario) -> ScenarioResult:
    """Run `scenario` on `db` (a throwaway database: its clock is simulated and its rows are left behind)."""
    start_at = local(scenario.clock).astimezone(UTC) if scenario.clock else datetime.now(UTC)
    with time_machine.travel(start_at, tick=False) as traveller:
        run = _Run(db, scenario, traveller)
        if not run.start():
            return run.result
        for step in scenario.steps:
            if not run.step(step) and step.kind != "expect":
                run.note(False, step.line, "scenario stopped: the steps after a failed action were not run")
                break
    return run.result
