"""协办: the lead unit's 处理反馈 and every assisting unit's 协办处置 join at 汇合, and the case goes on to 核查.

Each step may run in another process than the one that opened the assisting tasks (another web worker,
the timer worker, the CLI, a restart). `other_process` drops what this process keeps between steps (the
parsed process versions and the kept workflows) before each step, so the case is read from its row under
a freshly parsed process, as such a process reads it.
"""
from __future__ import annotations

import pytest

from engine.definitions import versions
from engine.runtime import kept
from engine.store.database import Database

from .helpers import act, case_row, only_item, open_items, start

HANDLERS = {"huanwei": "huanwei_h1", "shizheng": "shizheng_h1", "jd_S03": "jd_s03_h2"}
FEEDBACK = {"result_summary": "已清运全部垃圾",
            "result_photos": [{"name": "after.jpg", "content_type": "image/jpeg", "size": 1024}]}
ASSIST = {"assist_summary": "已配合完成本单位部分"}


def _as_another_process(other_process: bool) -> None:
    if other_process:
        versions.clear_cache()
        kept.clear()


@pytest.mark.parametrize("other_process", [False, True], ids=["same-process", "other-process"])
@pytest.mark.parametrize("assisting", [["shizheng"], ["shizheng", "jd_S03"]], ids=["one-unit", "two-units"])
@pytest.mark.parametrize("lead_first", [True, False], ids=["lead-first", "lead-last"])
def test_co_handled_case_reaches_verification_whichever_unit_finishes_last(
        deployed_db: Database, lead_first: bool, assisting: list[str], other_process: bool) -> None:
    db = deployed_db
    case_id = start(db)  # 暴露垃圾 in 东门: 环卫 (huanwei) leads
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1",
        {"dispatch_choice": "accept", "assisting_departments": assisting})
    act(db, only_item(db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    items = open_items(db, case_id)
    assert sorted((i.task_spec, i.department) for i in items) == sorted(
        [("feedback", "huanwei")] + [("assist [child]", unit) for unit in assisting])
    for item in sorted(items, key=lambda i: (i.task_spec == "feedback") != lead_first):
        _as_another_process(other_process)
        act(db, item.id, HANDLERS[item.department], FEEDBACK if item.task_spec == "feedback" else ASSIST)
    verify = only_item(db, case_id, "verify")
    assert verify.grid_cell == "S03C01G01"
    case = case_row(db, case_id)
    assert case.status == "running" and case.current_step == "核查"
    assert sorted(r["department"] for r in case.data["assist_reports"]) == sorted(assisting)
