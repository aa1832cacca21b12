"""The case record a task page shows (engine.cases.record): earlier steps' answers under their own form
labels, values in words, nothing of what the process keeps for itself."""
from __future__ import annotations

from engine.cases.record import CaseRecord, case_record
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

from .helpers import REPORT, act, only_item, start


def _record(db: Database, case_id: int, current: WorkItem | None = None, lang: str = "zh") -> CaseRecord:
    with db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case_record(session, case, lang, current=session.get(WorkItem, current.id) if current else None)


def _shown(record: CaseRecord) -> str:
    """Every word the record puts on a page (field names are markup only, never shown)."""
    h = record.header
    words = [h.business_key, h.title, h.category, h.address, h.grid_cell, h.reporter]
    for step in record.steps:
        words += [step.title, step.actor, *(f"{a.label} {a.text}" for a in step.answers)]
    words += [f"{a.label} {a.text}" for a in record.facts]
    return " ".join(words)


def _verifying(db: Database) -> tuple[int, WorkItem]:
    """The hotline's report registered, dispatched to 环卫 as proposed, handled and reported back."""
    case_id = start(db)
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    act(db, only_item(db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    act(db, only_item(db, case_id, "feedback").id, "huanwei_h1",
        {"result_summary": "已清运垃圾两立方米，路口已冲洗干净"})
    return case_id, only_item(db, case_id, "verify")


def test_each_earlier_step_is_shown_under_its_own_form_labels_with_option_labels_not_codes(deployed_db) -> None:
    case_id, verify = _verifying(deployed_db)
    record = _record(deployed_db, case_id, current=verify)
    assert [s.title for s in record.steps] == ["事件上报", "案卷建立（立案）", "任务派遣", "签收处置", "处理反馈"]
    report = {a.label: a.text for a in record.steps[0].answers}
    assert report["事件类别"] == "0102 市容环境·暴露垃圾"
    assert report["所在网格"] == "东门街道 湖贝社区第1网格"
    assert report["来源渠道"] == "12345热线" and report["反映人"] == REPORT["caller_name"]
    assert {a.label: a.text for a in record.steps[2].answers} == {"派遣方式": "按建议单位派遣"}
    assert {a.label: a.text for a in record.steps[4].answers}["处理情况"] == "已清运垃圾两立方米，路口已冲洗干净"
    shown = _shown(record)
    for code in ("0102 ", "S03C01G01", "hotline", "huanwei", "accept", "register"):
        assert code not in shown.replace("0102 市容", ""), code


def test_what_the_process_keeps_for_itself_is_never_part_of_the_record(deployed_db) -> None:
    case_id, verify = _verifying(deployed_db)
    record = _record(deployed_db, case_id, current=verify)
    names = {a.name for step in record.steps for a in step.answers}
    # Computed by the process, present in the case data, asked by no form of these steps.
    for internal in ("proposed_department", "responsible_department", "street", "outcome", "return_count",
                     "reported_by", "opened_by", "case_key", "dispatched_at"):
        assert internal not in names
    # A field hidden by its form's own rule for the answer given is not shown either.
    assert "override_reason" not in names and "caller_phone" in names


def test_the_header_names_the_case_its_category_address_grid_cell_and_reporter(deployed_db) -> None:
    case_id, verify = _verifying(deployed_db)
    header = _record(deployed_db, case_id, current=verify).header
    assert header.title == REPORT["title"] and header.address == REPORT["address"]
    assert header.category == "0102 市容环境·暴露垃圾" and header.grid_cell == "东门街道 湖贝社区第1网格"
    assert header.reporter and header.reporter != "hotline1"
    assert [d.task_name for d in header.deadlines][:1] == ["核查"]


def test_the_dispatch_step_names_the_proposed_unit_by_the_organisations_name(deployed_db) -> None:
    case_id = start(deployed_db)
    act(deployed_db, only_item(deployed_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    dispatch = only_item(deployed_db, case_id, "dispatch")
    facts = _record(deployed_db, case_id, current=dispatch).facts
    assert [(a.label, a.text) for a in facts] == [("建议责任单位（权责清单）", "环境卫生管理处"),
                                                  ("建议理由（权责清单）", "区权责清单：暴露垃圾由环境卫生管理处负责")]
    assert _record(deployed_db, case_id, current=dispatch, lang="en").facts[0].text == "Sanitation"


def test_routing_keeps_the_basis_of_the_matching_row_of_the_matrix_in_the_case_data(deployed_db) -> None:
    # 私搭乱建 (0101) is territorial: the matrix row for the street it happened in says so.
    case_id = start(deployed_db, category="0101")
    act(deployed_db, only_item(deployed_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    with deployed_db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        data = dict(case.data)
    assert data["proposed_department"] == "jd_S03"
    assert data["se_routing_basis"] == "属地管理：私搭乱建由事发地的东门街道办事处负责"


def test_the_task_being_looked_at_is_not_repeated_in_its_own_record(deployed_db) -> None:
    case_id = start(deployed_db)
    register = only_item(deployed_db, case_id, "register")
    act(deployed_db, register.id, "dispatcher1", {"register_decision": "register"})
    with deployed_db.transaction(readonly=True) as session:
        done = session.get(WorkItem, register.id)
        assert done is not None
        record = case_record(session, session.get(Case, case_id), "zh", current=done)
    assert [s.title for s in record.steps] == ["事件上报"] and record.facts == ()


def test_a_licensing_step_shows_the_application_and_its_materials_by_name(deployed_db) -> None:
    from engine.cases.service import start_case
    from engine.org.access import system_actor

    with deployed_db.transaction() as session:
        case_id = start_case(session, "licensing", {
            "title": "食品经营许可 测试面馆", "applicant": "测试面馆", "applicant_id": "92440303MA5G0T1X1K",
            "licence_type": "food_business", "materials_submitted": ["application_form", "business_licence"]},
            system_actor()).id
    record = _record(deployed_db, case_id)
    application = {a.label: a.text for a in record.steps[0].answers}
    assert application["申请人"] == "测试面馆" and application["许可事项"] == "食品经营许可"
    assert application["已提交材料"] == "申请书、营业执照"
