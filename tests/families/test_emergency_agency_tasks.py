"""Emergency linkage, the agencies' own work items: every dispatched agency gets 接警确认 then 到场 in its
duty officers' inbox, each under a wall-clock limit of that agency's minutes (rules/sla/emergency.yaml,
rules/emergency_agency_limits.dmn); a message from the agency's own system withdraws the task it makes moot."""
from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from engine.commands.tasks import complete
from engine.config import PROJECT_ROOT
from engine.decisions import parse_dmn
from engine.definitions.bundle import load_root
from engine.errors import Forbidden, StepRefused
from engine.org.access import Actor, may_see_task, may_work_task
from engine.org.config import OrgConfig, organisation_from_files
from engine.sla.queries import overdue_condition, shown_state
from engine.store.database import Database
from engine.store.models.sla import Escalation, Notification
from engine.store.models.tasks import WorkItem
from engine.tasks.queries import TaskFilter, list_tasks
from tests.families.helpers import DUTY, T0, case_row, fire, message, open_items, start_incident
from tests.sla.helpers import item_of, sole_clock_of

# The departments rules/emergency_agency_limits.dmn sends each agency to (street office: the cell's street).
DEPARTMENT = {"police": "gongan", "gas": "ranqi", "fire": "xiaofang", "medical": "jijiu", "street_office": "jd_S03"}
AGENCY_TASKS = ("agency_acknowledge", "agency_arrive")


def officer(agency: str) -> Actor:
    """The agency's duty officer, as rules/demo_users.yaml has them (<dept>_duty1, role agency_officer)."""
    return Actor(f"{DEPARTMENT[agency].lower()}_duty1", DEPARTMENT[agency], frozenset({("agency_officer", None)}))


def agency_items(db: Database, case_id: int, task_spec: str = "agency_acknowledge") -> dict[str, WorkItem]:
    """The open agency task of that kind, by the department it is routed to."""
    items = [i for i in open_items(db, case_id) if i.task_spec == task_spec]
    by_department = {i.department: i for i in items}
    assert len(by_department) == len(items), f"two open '{task_spec}' for one agency: {[i.department for i in items]}"
    return by_department


def agency_work(db: Database, case_id: int, agency: str, task_spec: str, data: dict) -> None:
    item = agency_items(db, case_id, task_spec)[DEPARTMENT[agency]]
    with db.transaction() as session:
        complete(session, officer(agency), item.id, data)




def test_dispatching_n_agencies_opens_n_acknowledge_tasks_one_per_agency_for_its_duty_officers(deployed_db, clock):
    case_id = start_incident(deployed_db)
    dispatched = set(case_row(deployed_db, case_id).data["agencies"])
    assert dispatched == {"gas", "police"}
    items = agency_items(deployed_db, case_id)
    assert set(items) == {DEPARTMENT[a] for a in dispatched}
    assert {i.role for i in items.values()} == {"agency_officer"}
    # Nobody has arrival to report before acknowledging.
    assert agency_items(deployed_db, case_id, "agency_arrive") == {}
    police, gas = items["gongan"], items["ranqi"]
    with deployed_db.transaction(readonly=True) as session:
        assert may_work_task(session, officer("police"), police.id) and may_see_task(session, officer("police"), police.id)
        # The police see the incident they work on, the gas crew's task with it, but may not work it.
        assert may_see_task(session, officer("police"), gas.id)
        assert not may_work_task(session, officer("police"), gas.id)
        # The command centre follows the case, the agency does its own task.
        assert not may_work_task(session, DUTY, police.id)
        inbox, _total = list_tasks(session, officer("gas"), TaskFilter(scope="candidate", case_id=case_id))
        assert [i.id for i in inbox] == [gas.id]
        with pytest.raises(Forbidden):  # seen with the incident, but the police's to do
            complete(session, officer("gas"), police.id, {"officer": "吴强"})


def test_an_agency_that_acknowledges_in_its_inbox_is_acknowledged_on_the_incident_and_must_report_arrival(
        deployed_db, clock):
    case_id = start_incident(deployed_db)
    clock.shift(timedelta(seconds=40))
    agency_work(deployed_db, case_id, "police", "agency_acknowledge", {"officer": "赵刚", "note": "两辆警车"})
    police = case_row(deployed_db, case_id).data["agencies"]["police"]
    assert police["status"] == "acknowledged" and police["ack_late"] is False
    assert set(agency_items(deployed_db, case_id)) == {"ranqi"}
    assert set(agency_items(deployed_db, case_id, "agency_arrive")) == {"gongan"}
    agency_work(deployed_db, case_id, "police", "agency_arrive", {"situation": "现场已警戒"})
    assert case_row(deployed_db, case_id).data["agencies"]["police"]["status"] == "on_scene"
    assert agency_items(deployed_db, case_id, "agency_arrive") == {}


def test_each_agency_task_runs_on_its_own_agencys_minutes_from_the_dispatch(deployed_db, clock):
    case_id = start_incident(deployed_db)
    items = agency_items(deployed_db, case_id)
    police, gas = sole_clock_of(deployed_db, items["gongan"].id), sole_clock_of(deployed_db, items["ranqi"].id)
    assert (police.policy_key, police.unit, police.limit_amount) == ("emergency.agency_acknowledge", "minutes", 1)
    assert (gas.policy_key, gas.unit, gas.limit_amount) == ("emergency.agency_acknowledge", "minutes", 5)
    assert items["gongan"].due_at == T0 + timedelta(minutes=1)
    assert items["ranqi"].due_at == T0 + timedelta(minutes=5)
    # Arrival counts from the dispatch too, not from the acknowledgement.
    clock.shift(timedelta(minutes=3))
    agency_work(deployed_db, case_id, "gas", "agency_acknowledge", {"officer": "吴强"})
    arrive = agency_items(deployed_db, case_id, "agency_arrive")["ranqi"]
    assert sole_clock_of(deployed_db, arrive.id).policy_key == "emergency.agency_arrive"
    assert arrive.due_at == T0 + timedelta(minutes=30)


def test_a_late_acknowledgement_breaches_that_agencys_clock_only(deployed_db, clock):
    case_id = start_incident(deployed_db)
    items = agency_items(deployed_db, case_id)
    clock.shift(timedelta(seconds=30))
    agency_work(deployed_db, case_id, "gas", "agency_acknowledge", {"officer": "吴强"})
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    fire(deployed_db)
    assert item_of(deployed_db, items["gongan"].id).sla_state == "overdue"
    gas_arrive = agency_items(deployed_db, case_id, "agency_arrive")["ranqi"]
    assert item_of(deployed_db, gas_arrive.id).sla_state == "on_time"
    with deployed_db.transaction(readonly=True) as session:
        escalated = {e.work_item_id for e in session.scalars(select(Escalation).where(Escalation.case_id == case_id))}
    assert escalated == {items["gongan"].id}
    # The police still acknowledge in their inbox; the incident records that it was late.
    agency_work(deployed_db, case_id, "police", "agency_acknowledge", {"officer": "赵刚"})
    assert case_row(deployed_db, case_id).data["agencies"]["police"]["ack_late"] is True


def test_an_arrival_message_withdraws_the_matching_agencys_open_task_and_no_other(deployed_db, clock):
    case_id = start_incident(deployed_db)
    items = agency_items(deployed_db, case_id)
    message(deployed_db, case_id, "agency_arrived", {"agency": "gas"})
    assert item_of(deployed_db, items["ranqi"].id).status == "withdrawn"
    assert item_of(deployed_db, items["gongan"].id).status == "open"
    assert agency_items(deployed_db, case_id, "agency_arrive") == {}  # on scene already: nothing left to report
    assert case_row(deployed_db, case_id).data["agencies"]["gas"]["status"] == "on_scene"
    # An acknowledgement by message moves the agency's work on to its arrival, for that agency only.
    message(deployed_db, case_id, "agency_acknowledged", {"agency": "police"})
    assert item_of(deployed_db, items["gongan"].id).status == "withdrawn"
    assert set(agency_items(deployed_db, case_id, "agency_arrive")) == {"gongan"}
    message(deployed_db, case_id, "agency_finished", {"agency": "police"})
    assert agency_items(deployed_db, case_id, "agency_arrive") == {}
    assert {i.task_spec for i in open_items(deployed_db, case_id)}.isdisjoint(AGENCY_TASKS)


def test_raising_the_grade_opens_tasks_only_for_the_newly_dispatched_agencies(deployed_db, clock):
    case_id = start_incident(deployed_db)
    first = agency_items(deployed_db, case_id)
    clock.shift(timedelta(minutes=5))
    message(deployed_db, case_id, "incident_grade_change", {"grade": 2, "reason": "12 people trapped"})
    after = agency_items(deployed_db, case_id)
    assert set(after) == {DEPARTMENT[a] for a in ("gas", "police", "fire", "medical", "street_office")}
    assert {d: after[d].id for d in first} == {d: first[d].id for d in first}  # the first two go on as they were
    assert after["xiaofang"].due_at == T0 + timedelta(minutes=6)  # fire: 1 minute from its own dispatch
    # Lowering the grade dispatches nobody and opens nothing.
    message(deployed_db, case_id, "incident_grade_change", {"grade": 3, "reason": "trapped people rescued"})
    assert {d: i.id for d, i in agency_items(deployed_db, case_id).items()} == {d: i.id for d, i in after.items()}


def test_agency_tasks_survive_many_grade_changes_with_one_task_per_agency(deployed_db, clock):
    case_id = start_incident(deployed_db)
    for grade in (2, 3, 2, 4, 1, 2):
        clock.shift(timedelta(minutes=3))
        message(deployed_db, case_id, "incident_grade_change", {"grade": grade, "reason": f"now {grade}"})
    agencies = case_row(deployed_db, case_id).data["agencies"]
    assert len(case_row(deployed_db, case_id).data["dispatch_log"]) == 7  # the first dispatch and one per change
    # Every agency ever dispatched has exactly one 接警确认 open (agency_items refuses two for one agency).
    assert sorted(agency_items(deployed_db, case_id)) == sorted(state["department"] for state in agencies.values())
    for agency in ("police", "gas"):
        agency_work(deployed_db, case_id, agency, "agency_acknowledge", {"officer": "值班员"})
        agency_work(deployed_db, case_id, agency, "agency_arrive", {"situation": "已到场"})
    statuses = case_row(deployed_db, case_id).data["agencies"]
    assert statuses["police"]["status"] == statuses["gas"]["status"] == "on_scene"
    assert case_row(deployed_db, case_id).status == "running"


# -- who an overdue agency task escalates to ---------------------------------------------------
def _dispatchable_departments(org: OrgConfig) -> set[str]:
    """Every department an agency task can be routed to: each agency the dispatch plan names
    (rules/emergency_dispatch.dmn) or a reinforcement request may ask for (any row of
    rules/emergency_agency_limits.dmn), at that row's department; a row without one (the street office)
    goes to the office of the incident's street, i.e. of any street."""
    (dispatch,) = parse_dmn((PROJECT_ROOT / "rules/emergency_dispatch.dmn").read_bytes(), "dispatch.dmn")
    (limits,) = parse_dmn((PROJECT_ROOT / "rules/emergency_agency_limits.dmn").read_bytes(), "limits.dmn")
    department_of = {r.outputs[0].literal: r.outputs[1].literal for r in limits.compiled.rules}
    planned = {r.outputs[0].literal for r in dispatch.compiled.rules}
    assert planned <= set(department_of), "the dispatch plan names an agency without limits and department"
    departments = {d for d in department_of.values() if d is not None}
    if None in department_of.values():
        departments |= {f"jd_{street}" for street in org.codes_of("street")}
    return departments


def _escalation_roles() -> set[str]:
    """The roles emergency.agency_acknowledge and emergency.agency_arrive escalate a breach to."""
    policies = yaml.safe_load((PROJECT_ROOT / "rules/sla/emergency.yaml").read_text(encoding="utf-8"))["policies"]
    agency = [p for p in policies if p["task"] in AGENCY_TASKS]
    assert {p["task"] for p in agency} == set(AGENCY_TASKS)
    return {a["to"] for p in agency for a in p["on_breach"] if a["action"] == "escalate"}


def test_every_dispatchable_agency_has_a_demo_duty_officer_and_someone_its_escalation_reaches() -> None:
    org = organisation_from_files(load_root(PROJECT_ROOT).files)
    departments = _dispatchable_departments(org)
    assert {"gongan", "xiaofang", "jijiu", "ranqi", "shuiwu", "gongdian", "jd_S03"} <= departments
    assert departments <= org.codes_of("department")

    def holders(role: str, department: str | None = None) -> set[str]:
        # as engine.sla.notify.users_with_role finds them: a department head by department or by scope
        return {u.username for u in org.users for r, scope in u.roles
                if r == role and (department is None or department in (u.department, scope))}

    roles = _escalation_roles()
    assert roles == {"department_head", "supervisor"}
    assert holders("supervisor")
    for department in sorted(departments):
        assert holders("agency_officer", department), f"no duty officer (agency_officer) in {department}"
        assert holders("department_head", department), f"an overdue task of {department} escalates to no head"


def test_an_overdue_acknowledgement_notifies_the_agencys_own_head(deployed_db, clock):
    case_id = start_incident(deployed_db)
    gas = agency_items(deployed_db, case_id)["ranqi"]
    clock.move_to(T0 + timedelta(minutes=5, seconds=1))  # gas: 5 minutes to acknowledge
    fire(deployed_db)
    with deployed_db.transaction(readonly=True) as session:
        escalated = {e.target_role for e in session.scalars(select(Escalation).where(
            Escalation.work_item_id == gas.id, Escalation.department == "ranqi"))}
        told = set(session.scalars(select(Notification.recipient).where(
            Notification.work_item_id == gas.id, Notification.kind == "sla_escalation")))
    assert escalated == {"department_head", "supervisor"}
    assert "ranqi_head" in told and {"supervisor1", "supervisor2"} <= told


def test_an_acknowledgement_already_made_in_the_inbox_is_refused_when_the_agencys_system_repeats_it(
        deployed_db, clock):
    case_id = start_incident(deployed_db)
    agency_work(deployed_db, case_id, "police", "agency_acknowledge", {"officer": "赵刚"})
    before = case_row(deployed_db, case_id)
    with pytest.raises(StepRefused, match="already acknowledged") as refused:
        message(deployed_db, case_id, "agency_acknowledged", {"agency": "police"})
    assert "该单位已报告接警，无需重复报告" in refused.value.details["agency"][0]
    assert case_row(deployed_db, case_id).version == before.version
    # The police's 到场 task is untouched and still reports arrival from the inbox.
    agency_work(deployed_db, case_id, "police", "agency_arrive", {"situation": "现场已警戒"})
    assert case_row(deployed_db, case_id).data["agencies"]["police"]["status"] == "on_scene"


def test_an_overdue_acknowledge_task_withdrawn_by_the_agencys_message_is_no_longer_overdue(deployed_db, clock):
    case_id = start_incident(deployed_db)
    police = agency_items(deployed_db, case_id)["gongan"]
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))  # police: 1 minute to acknowledge
    fire(deployed_db)
    assert item_of(deployed_db, police.id).sla_state == "overdue"
    message(deployed_db, case_id, "agency_acknowledged", {"agency": "police"})
    withdrawn = item_of(deployed_db, police.id)
    assert withdrawn.status == "withdrawn"
    now = T0 + timedelta(minutes=1, seconds=2)
    with deployed_db.transaction(readonly=True) as session:
        overdue = set(session.scalars(select(WorkItem.id).where(WorkItem.case_id == case_id,
                                                                overdue_condition(now))))
    assert police.id not in overdue
    assert shown_state(withdrawn.status, withdrawn.sla_state, withdrawn.due_at, now) == "withdrawn"
    # The same rule still reads an open step past its due time as overdue, marked or not.
    gas = agency_items(deployed_db, case_id)["ranqi"]
    assert shown_state(gas.status, "on_time", gas.due_at, gas.due_at + timedelta(seconds=1)) == "overdue"


def _agency_status_ran_ahead(db: Database, case_id: int, agency: str, status: str) -> None:
    """The incident's own record of `agency` moved on to `status` without its inbox task (a case whose
    data another way of reporting changed first): written into the stored workflow's data."""
    from engine.definitions.versions import runtime_for
    from engine.runtime.serialization import dump_workflow, load_workflow
    from engine.store.models.cases import Case

    with db.transaction() as session:
        case = session.get(Case, case_id)
        workflow = load_workflow(case.workflow_state, runtime_for(session, case.process_version_id).parsed)
        for task in workflow.get_tasks():
            if isinstance(task.data.get("agencies"), dict) and agency in task.data["agencies"]:
                task.data["agencies"][agency] = {**task.data["agencies"][agency], "status": status}
        case.workflow_state = dump_workflow(workflow)


def test_an_agencys_own_inbox_task_closes_even_when_the_incident_already_has_that_report(deployed_db, clock):
    case_id = start_incident(deployed_db)
    _agency_status_ran_ahead(deployed_db, case_id, "police", "on_scene")
    # Refusing the officer's own task would leave it open for ever: it closes, and changes no agency state.
    agency_work(deployed_db, case_id, "police", "agency_acknowledge", {"officer": "赵刚"})
    agency_work(deployed_db, case_id, "police", "agency_arrive", {"situation": "现场已警戒"})
    police = case_row(deployed_db, case_id).data["agencies"]["police"]
    assert police["status"] == "on_scene" and "acknowledged_at" not in police and "arrived_at" not in police
    assert agency_items(deployed_db, case_id, "agency_arrive") == {}


def test_an_at_risk_notice_read_again_keeps_naming_the_agency_whose_step_it_is(deployed_db, clock):
    """The notice is sent as 接警确认（燃气集团抢险中心） and worded again from its due time when read
    (engine.sla.notify.due_notices): the agency stays in the words, since every dispatched agency has a
    step of that name; a step of one unit only is named alone."""
    from engine.sla.notify import due_notices

    case_id = start_incident(deployed_db)
    gas = agency_items(deployed_db, case_id)["ranqi"]
    clock.move_to(T0 + timedelta(minutes=4, seconds=30))  # gas: 5 minutes to acknowledge, warned at 80 %
    fire(deployed_db)
    with deployed_db.transaction(readonly=True) as session:
        warned = session.scalars(select(Notification).where(Notification.work_item_id == gas.id,
                                                            Notification.kind == "sla_at_risk")).all()
        assert warned and all("（燃气集团抢险中心）" in n.message for n in warned)
        read = due_notices(session, warned)
    assert {notice.department for notice in read.values()} == {"ranqi"}
    assert {notice.task_name for notice in read.values()} == {gas.task_name}
