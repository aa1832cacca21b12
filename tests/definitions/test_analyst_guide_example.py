"""Worked example 2 of docs/analyst-guide.md — 临时摆摊登记, a new process added by files only — works as the
guide says: the files in docs/examples/stall_permit validate and deploy over the shipped bundle, a case goes
to the street office of its grid cell with the deadline of the review table, approval sends the site check to
the cell's grid worker when the table asks for one, a refusal needs a reason, and the mistake the guide shows
gives the line the guide prints."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from engine.cases.starting import startable_for
from engine.commands.cases import start as start_as
from engine.commands.tasks import complete
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_paths, load_root
from engine.definitions.service import deploy
from engine.definitions.validation import validate_bundle
from engine.errors import Forbidden, InvalidInput
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.definitions import ProcessVersion
from engine.store.models.tasks import WorkItem
from engine.tasks.queries import TaskFilter, list_tasks

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "stall_permit"
GUIDE = PROJECT_ROOT / "docs" / "analyst-guide.md"
# Wed 2 Dec 2026, 10:00 in Shanghai: an ordinary working day.
T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
# A snack stall (小吃餐饮) in 湖贝社区第1网格, street S03 (东门街道).
APPLICATION = {"applicant": "陈小梅", "phone": "13800138000", "stall_type": "snack", "grid_cell": "S03C01G01",
               "address": "湖贝路12号门前人行道", "start_date": "2026-12-12", "end_date": "2026-12-13"}
# The mistakes the guide shows: (text in the example's diagram, what the analyst wrote instead, the line).
MISTAKES = [
    ('name="handler">', 'name="street_office">',
     "error: processes/stall_permit.bpmn: lane_street: lane 'street_office' is not a role or department of "
     "the organisation"),
    ('value="stall_review"', 'value="stall_reveiw"',
     "error: processes/stall_permit.bpmn: review: user task names form 'stall_reveiw', which does not exist in "
     "forms/"),
]


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def stall_db(deployed_db: Database) -> Database:
    """The shipped bundle and the demo organisation, with the example deployed over them."""
    with deployed_db.transaction() as session:
        deploy(session, load_paths([EXAMPLE]), actor="analyst")
    return deployed_db


def inbox(db: Database, username: str, case_id: int) -> list[WorkItem]:
    with db.transaction(readonly=True) as session:
        items, _ = list_tasks(session, actor_for(session, username), TaskFilter(scope="candidate", case_id=case_id))
        session.expunge_all()
        return items


def apply(db: Database, data: dict = APPLICATION, by: str = "gw_s03c01g01") -> int:
    with db.transaction() as session:
        return start_as(session, actor_for(session, by), "stall_permit", dict(data)).id


def work(db: Database, item_id: str, data: dict, username: str) -> None:
    with db.transaction() as session:
        complete(session, actor_for(session, username), item_id, data)


def case_row(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def test_the_example_lays_its_files_out_as_processes_forms_and_rules_and_validates_with_the_shipped_bundle():
    given = load_paths([EXAMPLE])
    assert sorted(given.files) == ["forms/stall_apply.json", "forms/stall_inspect.json", "forms/stall_review.json",
                                   "processes/stall_permit.bpmn", "rules/sla/stall_permit.yaml",
                                   "rules/stall_rules.dmn"]
    problems, catalogue = validate_bundle(load_root(PROJECT_ROOT).overlay(given))
    assert problems == []
    assert catalogue.processes["stall_permit"].family == "stall_permit"


def test_nothing_of_the_example_is_shipped():
    shipped = load_root(PROJECT_ROOT).files
    assert not [path for path in shipped if "stall" in path]


def test_the_commands_of_the_guide_validate_deploy_and_check_the_diagram(cli):
    validated = cli("validate", "docs/examples/stall_permit")
    assert (validated.returncode, validated.stdout) == (0, "ok: 6 file(s) valid\n")
    assert cli("init").returncode == 0
    deployed = cli("deploy", "docs/examples/stall_permit")
    assert (deployed.returncode, deployed.stdout) == (0, "deployed: stall_permit v1\n")
    again = cli("deploy", "docs/examples/stall_permit")
    assert again.stdout == "unchanged: identical content already deployed\n"
    layout = cli("layout", "--check", "docs/examples/stall_permit/processes")
    assert (layout.returncode, layout.stdout) == (0, "ok: 1 diagram(s) usable\n")
    for output in ("ok: 6 file(s) valid", "deployed: stall_permit v1", "ok: 1 diagram(s) usable"):
        assert output in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("right", "wrong", "line"), MISTAKES, ids=["lane_not_a_role", "form_misspelt"])
def test_each_mistake_the_guide_shows_gives_exactly_the_line_the_guide_prints(cli, tmp_path: Path, right, wrong,
                                                                                line):
    draft = tmp_path / "stall_permit"
    shutil.copytree(EXAMPLE, draft)
    bpmn = draft / "processes" / "stall_permit.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    assert text.count(right) == 1
    bpmn.write_text(text.replace(right, wrong), encoding="utf-8")
    result = cli("validate", str(draft))
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", [line])
    assert line in GUIDE.read_text(encoding="utf-8")


def test_deploying_the_example_creates_the_process(stall_db):
    with stall_db.transaction(readonly=True) as session:
        versions = list(session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == "stall_permit")))
        assert [(v.version, v.family) for v in versions] == [(1, "stall_permit")]


def test_grid_workers_and_the_hotline_may_start_it_a_street_office_handler_may_not(stall_db):
    def offered(username: str) -> bool:
        with stall_db.transaction(readonly=True) as session:
            return "stall_permit" in [e.process_key for e in startable_for(session, actor_for(session, username))]

    assert offered("gw_s03c01g01") and offered("hotline1") and not offered("jd_s03_h1")
    with pytest.raises(Forbidden):
        apply(stall_db, by="jd_s03_h1")


def test_an_application_goes_to_the_street_office_of_its_grid_cell_due_when_the_table_and_policy_say(stall_db, clock):
    case_id = apply(stall_db)
    case = case_row(stall_db, case_id)
    assert (case.street, case.department, case.title) == ("S03", "jd_S03", "临时摆摊 陈小梅 湖贝路12号门前人行道")
    [review] = inbox(stall_db, "jd_s03_h1", case_id)
    assert (review.task_spec, review.task_name, review.role, review.department) == ("review", "街道审核", "handler",
                                                                                   "jd_S03")
    # snack: 3 working days, statutory: Wed 2 Dec not counted -> Thu 3, Fri 4, Mon 7 Dec, closing time 18:00.
    assert review.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert inbox(stall_db, "jd_s01_h1", case_id) == []  # another street office does not see it


def test_approving_a_stall_the_table_wants_checked_sends_the_site_check_to_the_grid_worker_of_the_cell(stall_db, clock):
    case_id = apply(stall_db)
    [review] = inbox(stall_db, "jd_s03_h1", case_id)
    work(stall_db, review.id, {"review_decision": "approve"}, "jd_s03_h1")
    [inspect] = inbox(stall_db, "gw_s03c01g01", case_id)
    assert (inspect.task_spec, inspect.task_name, inspect.grid_cell) == ("inspect", "现场核查", "S03C01G01")
    assert inbox(stall_db, "gw_s03c01g02", case_id) == []  # the neighbouring cell's grid worker does not
    work(stall_db, inspect.id, {"inspection_result": "passed"}, "gw_s03c01g01")
    assert case_row(stall_db, case_id).status == "completed"


def test_approving_a_stall_the_table_does_not_want_checked_ends_the_case(stall_db, clock):
    case_id = apply(stall_db, {**APPLICATION, "stall_type": "fruit_veg"})
    [review] = inbox(stall_db, "jd_s03_h1", case_id)
    # fruit_veg: 2 working days -> Fri 4 Dec 18:00.
    assert review.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    work(stall_db, review.id, {"review_decision": "approve"}, "jd_s03_h1")
    case = case_row(stall_db, case_id)
    assert case.status == "completed" and case.data["needs_inspection"] is False


def test_refusing_without_a_reason_is_refused_and_changes_nothing(stall_db, clock):
    case_id = apply(stall_db)
    [review] = inbox(stall_db, "jd_s03_h1", case_id)
    before = case_row(stall_db, case_id)
    with stall_db.transaction(readonly=True) as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.case_id == case_id))
    with pytest.raises(InvalidInput) as refused:
        work(stall_db, review.id, {"review_decision": "reject"}, "jd_s03_h1")
    assert list(refused.value.details) == ["review_reason"]
    after = case_row(stall_db, case_id)
    assert (after.version, after.status, after.data) == (before.version, "running", before.data)
    assert [i.id for i in inbox(stall_db, "jd_s03_h1", case_id)] == [review.id]
    with stall_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.case_id == case_id)) == events_before
    work(stall_db, review.id, {"review_decision": "reject", "review_reason": "该路段为消防通道，不宜摆摊"}, "jd_s03_h1")
    case = case_row(stall_db, case_id)
    assert case.status == "completed" and inbox(stall_db, "gw_s03c01g01", case_id) == []
