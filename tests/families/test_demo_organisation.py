"""`make run` seeds a demo organisation in which every family can be worked end to end: someone holds
each lane's role, someone may start each process, and each department a routing table sends work to
has people to do it."""
from __future__ import annotations

from lxml import etree
from sqlalchemy import select

from engine.cases.access import may_start
from engine.cases.starting import startable
from engine.config import PROJECT_ROOT
from engine.decisions import parse_dmn
from engine.definitions.bundle import load_root
from engine.definitions.service import list_versions
from engine.demo.emergency import ALARMS, seed_demo_incidents
from engine.demo.licensing import APPLICATIONS, seed_demo_applications
from engine.org.access import Actor
from engine.org.config import OrgConfig, organisation_from_files
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _org() -> OrgConfig:
    return organisation_from_files(load_root(PROJECT_ROOT).files)


def _holders(org: OrgConfig, role: str, department: str | None = None) -> set[str]:
    return {u.username for u in org.users for r, _scope in u.roles
            if r == role and (department is None or u.department == department)}


def test_every_lane_role_of_every_shipped_process_is_held_by_a_demo_user() -> None:
    org = _org()
    roles = set(org.roles)
    missing, checked = [], set()
    for path in sorted((PROJECT_ROOT / "processes").glob("*.bpmn")):
        lanes = {lane.get("name") for lane in etree.parse(str(path)).iter(f"{BPMN}lane")}
        checked |= lanes & roles
        missing += [f"{path.name}: {lane}" for lane in sorted(lanes & roles) if not _holders(org, lane)]
    assert {"window_staff", "duty_officer", "agency_officer", "handler", "grid_worker"} <= checked
    assert not missing, f"lanes nobody in the demo may work: {missing}"


def test_every_shipped_process_but_the_automatic_ones_can_be_started_by_a_demo_user_other_than_admin(
        deployed_db: Database) -> None:
    org = _org()
    people = [Actor(u.username, u.department, frozenset(u.roles)) for u in org.users
              if not any(role == "admin" for role, _scope in u.roles)]
    with deployed_db.transaction(readonly=True) as session:
        keys = sorted({v.process_key for v in list_versions(session)})
        entries = {key: startable(session, key) for key in keys}
    cannot = [key for key, entry in entries.items()
              if not any(may_start(actor, entry.lane, entry.starters) for actor in people)]
    assert not cannot, f"no demo user may start: {cannot}"
    assert {"social_event", "licensing", "emergency_linkage"} <= set(keys)


def test_every_department_the_licensing_review_table_names_has_a_demo_handler_and_head() -> None:
    org = _org()
    (table,) = parse_dmn((PROJECT_ROOT / "rules/licensing_review.dmn").read_bytes(), "licensing_review.dmn")
    column = [o.name for o in table.compiled.outputs].index("department")
    departments = {rule.outputs[column].literal for rule in table.compiled.rules}
    assert {"weijian", "shengtai", "xiaofang"} <= departments
    for department in sorted(departments):
        assert _holders(org, "handler", department), f"no handler reviews for {department}"
        assert _holders(org, "department_head", department), f"no head in {department}"
    # The licensing organ itself: its window accepts and delivers, its head decides.
    assert _holders(org, "window_staff", "zhengwu") and _holders(org, "department_head", "zhengwu")


def test_the_demo_has_licensing_applications_at_each_stage_worked_by_the_demo_users(demo_db: Database) -> None:
    db = demo_db  # what `casegrid init --demo` leaves (built once per run by the same initialise)
    with db.transaction(readonly=True) as session:
        titles = set(session.scalars(select(Case.title).where(Case.process_key == "licensing")))
        steps = set(session.execute(select(WorkItem.task_spec, WorkItem.department).join(
            Case, Case.id == WorkItem.case_id).where(Case.process_key == "licensing", WorkItem.status == "open")))
        done_by = set(session.scalars(select(WorkItem.completed_by).join(Case, Case.id == WorkItem.case_id).where(
            Case.process_key == "licensing", WorkItem.status == "completed")))
    assert titles == {a.title for a in APPLICATIONS}
    # 受理审查, 补正 (one-time notice), parallel 部门审查 (road occupation: three departments), 许可决定.
    assert {("accept", None), ("supplement", None), ("decide", None)} <= steps
    assert {("review_task", d) for d in ("shizheng", "jiaotong", "gongan", "shijian")} <= steps
    assert {"window1", "shijian_h1", "zhujian_h1"} <= done_by
    assert seed_demo_applications(db) == 0


def test_the_demo_duty_desk_has_taken_alarms_whose_agencies_are_waiting_to_acknowledge(demo_db: Database) -> None:
    db = demo_db
    with db.transaction(readonly=True) as session:
        taken = set(session.scalars(select(Case.title).where(Case.process_key == "emergency_linkage",
                                                             Case.opened_by == "duty1")))
        waiting = set(session.scalars(select(WorkItem.department).join(Case, Case.id == WorkItem.case_id).where(
            Case.opened_by == "duty1", WorkItem.task_spec == "agency_acknowledge", WorkItem.status == "open")))
    assert taken == {alarm["title"] for alarm in ALARMS}
    assert "xiaofang" in waiting  # the fire brigade has the fire's 接警确认 in its inbox
    assert seed_demo_incidents(db) == 0
