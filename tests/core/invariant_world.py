"""The world the invariant tests drive: a deployed database with the demo organisation, the demo users as
actors, valid (and deliberately invalid) start data and answers for every shipped process, and the commands
run one transaction each, with a snapshot proving that a refused command changed nothing.

Known-good data comes from the demo seeding (engine/demo/*.py) and the family tests; each form key has
several valid variants so random runs take every branch the forms offer (return, extension, supplement,
rework, cancel…).
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.commands import cases as case_commands
from engine.commands import messages as message_commands
from engine.commands import migrations as migration_commands
from engine.commands import tasks as task_commands
from engine.commands.authorise import workable_task
from engine.commands.timers import fire_due
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.errors import CasegridError
from engine.org.access import Actor
from engine.org.service import actor_for
from engine.sla.bootstrap import seed_calendar
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.definitions import ProcessVersion
from engine.store.models.messages import MessageSubscription
from engine.store.models.org import User
from engine.store.models.tasks import WorkItem

# Tuesday 24 Nov 2026, 10:00 in Shanghai: a working day, so working-day limits fall where expected.
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def deploy_world(db: Database) -> None:
    """The bundled definitions, the organisation with the demo users, the business calendar; no demo cases.

    Each shipped process also gets a second version (its first user task renamed), so that cases can be
    migrated back and forth between the two while they run."""
    from tests.conftest import deploy_bundled

    deploy_bundled(db, demo_users=True)
    with db.transaction() as session:
        seed_calendar(session, PROJECT_ROOT)
        deploy(session, Bundle(second_versions()), actor="invariants")


def second_versions() -> dict[str, str]:
    files = {}
    for path in sorted((PROJECT_ROOT / "processes").glob("*.bpmn")):
        xml = path.read_text(encoding="utf-8")
        changed = re.sub(r'(<bpmn:userTask id="[^"]+" name=")([^"]+)"', r'\1\2（新版）"', xml, count=1)
        if changed != xml:
            files[f"processes/{path.name}"] = changed
    return files


def load_actors(db: Database) -> dict[str, Actor]:
    with db.transaction(readonly=True) as session:
        names = sorted(session.scalars(select(User.username).where(User.active.is_(True))))
        return {name: actor_for(session, name) for name in names}


# -- start data ------------------------------------------------------------------------------------------
# A few categories and cells only, so the hot-spot rule (three alike within two hours) fires now and then;
# 0503 (燃气) starts a linked emergency case the social event then waits for.
SE_CATEGORIES = ("0102", "0101", "0404", "0503")
SE_CELLS = ("S03C01G01", "S01C02G01", "S05C01G01")


def social_event_start(rng: random.Random, actors: dict[str, Actor]) -> tuple[str, dict[str, Any]]:
    cell = rng.choice(SE_CELLS)
    channel = rng.choice(("grid_worker", "hotline", "citizen"))
    data: dict[str, Any] = {"title": "随机上报事件", "category": rng.choice(SE_CATEGORIES), "grid_cell": cell,
                            "address": "东门街道某路口", "description": "现场情况需要处置，请尽快派遣",
                            "report_channel": channel}
    if channel != "grid_worker":
        data.update(caller_name="陈先生", caller_phone="13800138000")
    reporter = f"gw_{cell.lower()}" if channel == "grid_worker" else rng.choice(("hotline1", "hotline2",
                                                                                  "dispatcher1"))
    return reporter, data


LICENCES = {
    "food_business": ["application_form", "business_licence", "id_card", "premises_layout", "food_safety_rules",
                      "staff_health_certs"],
    "road_occupation": ["application_form", "construction_plan", "traffic_management_plan", "site_map"],
    "outdoor_advertising": ["application_form", "business_licence", "design_drawings", "structural_safety_report",
                            "site_ownership_consent"],
}


def licensing_start(rng: random.Random, actors: dict[str, Actor]) -> tuple[str, dict[str, Any]]:
    licence = rng.choice(sorted(LICENCES))
    materials = list(LICENCES[licence])
    if rng.random() < 0.3:
        materials.pop(rng.randrange(len(materials)))
    return rng.choice(("window1", "window2")), {
        "title": "许可申请", "applicant": "某某餐饮店", "applicant_id": "92440303MA5G0A1X1K",
        "contact_phone": "13800000000", "licence_type": licence, "materials_submitted": materials}


EMERGENCY_ALARMS = (
    {"title": "燃气泄漏 东门路", "incident_type": "gas_leak", "casualties": 0, "people_affected": 30,
     "location_class": "residential", "location": "东门路 12 号", "grid_cell": "S03C01G01"},
    {"title": "解放路公交车与货车相撞", "incident_type": "traffic_accident", "casualties": 0, "people_affected": 12,
     "location_class": "road", "location": "解放路与建设路交叉口", "grid_cell": "S03C02G01"},
    {"title": "居民楼火情", "incident_type": "fire", "casualties": 2, "people_affected": 40,
     "location_class": "residential", "location": "桂园路8栋", "grid_cell": "S01C01G02"},
)


def emergency_start(rng: random.Random, actors: dict[str, Actor]) -> tuple[str, dict[str, Any]]:
    return rng.choice(("duty1", "duty2")), dict(rng.choice(EMERGENCY_ALARMS))


def hot_spot_start(rng: random.Random, actors: dict[str, Actor]) -> tuple[str, dict[str, Any]]:
    # A supervisor opening one by hand gives no report count: only the event rules fill it (ui:filledBy).
    return rng.choice(("supervisor1", "supervisor2")), {"title": "同类上报热点", "category": "0102",
                                                        "grid_cell": "S03C01G01"}


def sample_loop_start(rng: random.Random, actors: dict[str, Actor]) -> tuple[str, dict[str, Any]]:
    return f"gw_{rng.choice(SE_CELLS).lower()}", {"title": "巡查读数", "target": rng.randint(1, 3)}


STARTS: dict[str, Callable[[random.Random, dict[str, Actor]], tuple[str, dict[str, Any]]]] = {
    "social_event": social_event_start,
    "licensing": licensing_start,
    "emergency_linkage": emergency_start,
    "hot_spot": hot_spot_start,
    "sample_loop": sample_loop_start,
}
PROCESSES = tuple(sorted(STARTS))
# What the machine starts: the long processes more often than the one-step ones.
START_WEIGHTS = ("social_event", "social_event", "social_event", "licensing", "licensing", "emergency_linkage",
                 "hot_spot", "sample_loop")


def invalid_start(data: dict[str, Any]) -> dict[str, Any]:
    """The data without title and target (every start form requires one of them): a 422."""
    return {key: value for key, value in data.items() if key not in ("title", "target")}


# -- answers per form ---------------------------------------------------------------------------------
ANSWERS: dict[str, tuple[dict[str, Any], ...]] = {
    "se_register": ({"register_decision": "register"}, {"register_decision": "register"},
                    {"register_decision": "cancel", "cancel_reason": "duplicate", "cancel_note": "重复上报"}),
    "se_dispatch": ({"dispatch_choice": "accept"},
                    {"dispatch_choice": "accept", "assisting_departments": ["jiaotong"]},
                    {"dispatch_choice": "accept", "assisting_departments": ["jd_S05", "jiaotong"]},
                    {"dispatch_choice": "override", "override_department": "shizheng",
                     "override_reason": "属地管理更合适"}),
    "se_handle": ({"handle_decision": "accept"}, {"handle_decision": "accept"},
                  {"handle_decision": "return", "return_reason": "不属于本单位职责范围"},
                  {"handle_decision": "extension", "extension_value": 2, "extension_unit": "working_days",
                   "extension_reason": "需协调产权单位处理"}),
    "se_feedback": ({"result_summary": "已安排人员到场处置完毕"},),
    "se_assist": ({"assist_summary": "已协助完成处置"},),
    "se_verify": ({"verify_result": "solved"}, {"verify_result": "solved"},
                  {"verify_result": "not_solved", "verify_note": "现场仍有残留"}),
    "se_close": ({"closure_confirmed": True, "closure_note": "核查通过，予以结案"},),
    "se_evaluate": ({"satisfaction": "satisfied"}, {"satisfaction": "dissatisfied", "evaluation_note": "处理太慢"}),
    "se_arbitrate": ({"arbitration_department": "chengguan", "arbitration_reason": "依职责裁定"},),
    "se_extension_review": ({"extension_decision": "approve"},
                            {"extension_decision": "reject", "extension_comment": "理由不充分"}),
    "lic_accept": ({"acceptance_decision": "accept"}, {"acceptance_decision": "accept", "materials_checked": True},
                   {"acceptance_decision": "supplement", "extra_missing": ["id_card"]},
                   {"acceptance_decision": "refuse", "refuse_reason": "不属于本机关职权范围"}),
    "lic_supplement": ({"materials_supplemented": ["id_card"], "supplement_note": "已补交"},),
    "lic_review": ({"opinion": "approve", "comments": "材料齐全，符合条件"},
                   {"opinion": "approve", "comments": "需现场核查", "needs_inspection": True},
                   {"opinion": "approve", "comments": "需专家评审", "needs_expert": True},
                   {"opinion": "reject", "comments": "不符合条件"}),
    "lic_inspection": ({"inspection_finding": "现场符合要求"},),
    "lic_expert": ({"expert_opinion": "同意"},),
    "lic_decide": ({"licence_decision": "grant"}, {"licence_decision": "grant"},
                   {"licence_decision": "deny", "decision_reason": "不符合法定条件"},
                   {"licence_decision": "extend", "decision_reason": "情况复杂需延长"}),
    "lic_extension": ({"extension_approved": True, "extension_reason": "同意延长"},
                      {"extension_approved": False, "extension_reason": "不同意延长"}),
    "lic_issue": ({"licence_no": "JY14403030000001", "valid_until": "2027-03-01", "delivered_on": "2026-11-25"},),
    "lic_renewal": ({"reminded_via": "短信"},),
    "lic_urge": ({"urge_note": "请尽快作出决定"},),
    "lic_chase": ({"contact_note": "已电话联系申请人"},),
    "em_report": ({"reported_to": "区领导", "summary": "现场已控制"},),
    "em_close": ({"close_summary": "处置完毕", "casualties_final": 0},),
    "em_review": ({"review": "复盘完成", "lessons": "加强巡查"},),
    "em_agency_ack": ({"officer": "张警官"},),
    "em_agency_arrive": ({"situation": "已到场处置"},),
    "hs_review": ({"hot_spot_conclusion": "已研判，交属地跟进"},),
    "sample_reading": ({"reading": 3}, {"reading": 0.5, "note": "正常"}),
}
# Fails every form above: each requires at least one field.
INVALID_ANSWERS: dict[str, Any] = {}

# Messages a case may be sent, with a payload its catch event's form accepts; agency messages take their
# agency from the subscription's correlation.
MESSAGE_PAYLOADS: dict[str, tuple[dict[str, Any], ...]] = {
    "agency_acknowledged": ({"agency": "police", "note": "已接警"},),
    "agency_arrived": ({"agency": "police"},),
    "agency_finished": ({"agency": "police", "note": "处置完毕"},),
    "agency_task_acknowledged": ({"agency": "police"},),
    "agency_task_arrived": ({"agency": "police"},),
    "incident_progress": ({"agency": "fire", "text": "明火已扑灭"},),
    "incident_reinforcement": ({"agencies": ["power"], "reason": "需断电"},),
    "incident_grade_change": ({"grade": 2, "reason": "人员被困"}, {"grade": 4, "reason": "险情解除"}),
}


# -- a snapshot of everything a command may change ------------------------------------------------------
MUTABLE_TABLES = ("cases", "work_items", "timers", "message_subscriptions", "case_links", "key_sequences",
                  "sla_clocks", "sla_case_pauses", "sla_extensions", "sla_escalations", "sla_urgings",
                  "notifications", "attachments", "event_rule_state")
OPTIONAL_TABLES = ("incidents",)


def _table_names(session: Session) -> list[str]:
    from sqlalchemy import inspect

    present = set(inspect(session.get_bind()).get_table_names())
    return [t for t in (*MUTABLE_TABLES, *OPTIONAL_TABLES) if t in present]


def snapshot_rows(session: Session) -> dict[str, Any]:
    """Every row of the tables a case command writes (the workflow state is covered by the case version),
    plus the audit trail's size and last id."""
    found: dict[str, Any] = {}
    for table in _table_names(session):
        columns = "*" if table != "cases" else "id, version, status, current_step, department, closed_at"
        rows = session.execute(text(f"SELECT {columns} FROM {table}")).all()  # noqa: S608 - fixed names
        found[table] = sorted(tuple(str(v) for v in row) for row in rows)
    found["audit"] = tuple(session.execute(text("SELECT count(*), max(id) FROM audit_events")).one())
    return found


# -- running a command ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    ok: bool
    error: CasegridError | None = None
    result: Any = None


@dataclass
class Ledger:
    """The transitions the test's own commands made, to hold the audit trail to them one to one."""

    claims: dict[str, int] = field(default_factory=dict)
    unclaims: dict[str, int] = field(default_factory=dict)
    transfers: dict[str, int] = field(default_factory=dict)

    def add(self, counter: dict[str, int], item_id: str) -> None:
        counter[item_id] = counter.get(item_id, 0) + 1


def run_command(db: Database, command: Callable[[Session], Any], *, check_refusal: bool = True) -> Outcome:
    """Run one command in one transaction; a CasegridError must leave every row as it was."""
    before = None
    if check_refusal:
        with db.transaction(readonly=True) as session:
            before = snapshot_rows(session)
    try:
        with db.transaction() as session:
            result = command(session)
    except CasegridError as exc:
        if before is not None:
            with db.transaction(readonly=True) as session:
                after = snapshot_rows(session)
            assert_unchanged(before, after, exc)
        return Outcome(False, exc)
    return Outcome(True, result=result)


def assert_unchanged(before: dict[str, Any], after: dict[str, Any], exc: Exception) -> None:
    for table in before:
        assert before[table] == after.get(table), (
            f"refused command ({type(exc).__name__}: {exc}) changed {table}:\n"
            f"  before: {before[table]}\n  after:  {after.get(table)}")


# Ids are random UUIDs: lists the random choices pick from are ordered by what a run repeats exactly.
def open_items(session: Session) -> list[WorkItem]:
    return list(session.scalars(select(WorkItem).where(WorkItem.status == "open").order_by(
        WorkItem.case_id, WorkItem.created_at, WorkItem.task_spec, WorkItem.department, WorkItem.grid_cell,
        WorkItem.id)))


def running_cases(session: Session) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.status == "running").order_by(Case.id)))


def subscriptions(session: Session) -> list[MessageSubscription]:
    return list(session.scalars(select(MessageSubscription).join(Case, Case.id == MessageSubscription.case_id)
                                .where(Case.status == "running")
                                .order_by(MessageSubscription.case_id, MessageSubscription.task_spec,
                                          MessageSubscription.message_name, MessageSubscription.correlation_key)))


def pick_actor(rng: random.Random, actors: dict[str, Actor], fit: Actor | None, stray: float = 0.15) -> Actor:
    """Mostly someone fit to act (when anyone is), sometimes anybody: refusals must hold too."""
    if fit is not None and rng.random() >= stray:
        return fit
    return rng.choice(list(actors.values()))


def a_worker(session: Session, actors: dict[str, Actor], item_id: str, rng: random.Random) -> Actor | None:
    """Someone who may work the task now, as the commands decide it, each such user equally likely (the first
    who may, in a random order of the demo users: far fewer checks than asking every user), or None."""
    for actor in rng.sample(list(actors.values()), len(actors)):
        try:
            workable_task(session, actor, item_id)
        except CasegridError:
            continue
        return actor
    return None


def colleagues_for(actors: dict[str, Actor], item: WorkItem, besides: str) -> list[Actor]:
    """Plausible transfer targets: holders of the task's lane role in its department (the command decides)."""
    return [a for a in actors.values() if a.username != besides and (item.role is None or item.role in a.role_codes)
            and (item.department is None or a.department == item.department)]


# The commands, as the machine calls them.
def _claims_written_here(session: Session, item_id: str) -> int:
    """task_claimed rows of the item that this transaction wrote (on PostgreSQL, by the rows' xmin; SQLite has
    one writer at a time, so every row it sees before commit is either old or its own)."""
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(text(
            "SELECT count(*) FROM audit_events WHERE task_id = :item AND action = 'task_claimed' "
            "AND xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text"), {"item": item_id}) or 0
    return session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.task_id == item_id, AuditEvent.action == "task_claimed")) or 0


def start(process_key: str, actor: Actor, data: dict[str, Any]) -> Callable[[Session], Any]:
    return lambda session: case_commands.start(session, actor, process_key, data).id


def claim(actor: Actor, item_id: str) -> Callable[[Session], Any]:
    def run(session: Session) -> Any:
        before = _claims_written_here(session, item_id)
        task_commands.claim(session, actor, item_id)
        # Whether this command made the claim: an audit row this very transaction wrote. Reading the assignee
        # beforehand would not do: the same user's concurrent claim may commit in between, and then this one
        # succeeds without changing anything (one claim, one audit row).
        return _claims_written_here(session, item_id) > before

    return run


def unclaim(actor: Actor, item_id: str) -> Callable[[Session], Any]:
    return lambda session: task_commands.unclaim(session, actor, item_id).id


def transfer(actor: Actor, item_id: str, to: str, reason: str) -> Callable[[Session], Any]:
    return lambda session: task_commands.transfer(session, actor, item_id, to, reason).id


def complete(actor: Actor, item_id: str, data: dict[str, Any]) -> Callable[[Session], Any]:
    return lambda session: task_commands.complete(session, actor, item_id, data).case.id


def return_task(actor: Actor, item_id: str, reason: str) -> Callable[[Session], Any]:
    return lambda session: task_commands.return_task(session, actor, item_id, reason).case.id


def cancel(actor: Actor, case_id: int, reason: str) -> Callable[[Session], Any]:
    return lambda session: case_commands.cancel(session, actor, case_id, reason).id


def deliver(actor: Actor, name: str, case_id: int, payload: dict[str, Any]) -> Callable[[Session], Any]:
    return lambda session: [c.id for c in message_commands.deliver_message(session, actor, name, case_id=case_id,
                                                                           payload=payload)]


def migrate(actor: Actor, process_key: str, case_id: int, from_version: int, to_version: int) -> Callable[[Session], Any]:
    return lambda session: migration_commands.migrate_case(session, actor, process_key, case_id, from_version,
                                                           to_version).case_id


def version_of(session: Session, case_id: int) -> tuple[str, int] | None:
    row = session.execute(select(Case.process_key, ProcessVersion.version)
                          .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
                          .where(Case.id == case_id)).first()
    return None if row is None else (row[0], row[1])


def fire_timers(db: Database) -> int:
    return fire_due(db, "invariant-worker", datetime.now(UTC))

