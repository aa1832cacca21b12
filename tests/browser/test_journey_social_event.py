"""Journey 1: the closed loop of a social event, each step done in the browser by the person it belongs to.

A grid worker reports, a dispatcher registers and dispatches, the responsible department's handler accepts
and reports back, the grid worker verifies on site; the case then waits for the dispatcher to close it.
"""
from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from browsertools import (  # noqa: E402
    case_id_from,
    claim_and_complete,
    fill_form,
    flash_text,
    open_from_inbox,
    submit_form,
)
from playwright.sync_api import Page  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.demo.social_event import grid_worker_of, handler_of  # noqa: E402
from engine.store.models.cases import Case  # noqa: E402
from engine.store.models.tasks import WorkItem  # noqa: E402

CELL = "S01C01G01"
TITLE = "浏览器测试：桂园路井盖松动"


def _claim_and_complete(journey, page: Page, business_key: str, values: dict, shot: str) -> None:
    open_from_inbox(page, business_key)
    claim_and_complete(journey, page, values, shot)


def _open_task(demo_db, case_id: int) -> WorkItem:
    with demo_db.transaction(readonly=True) as session:
        return session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()


def test_a_reported_event_goes_round_the_loop_with_each_person_signed_in_as_themselves(journey, demo_db):
    reporter = grid_worker_of(CELL)
    worker = journey.sign_in(reporter)
    worker.goto("/start")
    worker.locator("a[href$='/start/social_event']").click()
    fill_form(worker, {"title": TITLE, "category": "0104", "grid_cell": CELL, "address": "桂园路18号门前",
                       "description": "井盖松动，车辆经过有响声", "report_channel": "grid_worker"})
    journey.shot(worker, "grid-worker-reports")
    submit_form(worker)
    case_id = case_id_from(worker.url)
    with demo_db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        business_key, opened_by = case.business_key, case.opened_by
    assert opened_by == reporter
    journey.shot(worker, "case-opened")

    dispatcher = journey.sign_in("dispatcher1")
    _claim_and_complete(journey, dispatcher, business_key, {"register_decision": "register"}, "dispatcher-registers")
    # Registered: the dispatcher goes straight on to dispatch it, claimed for them.
    dispatch = _open_task(demo_db, case_id)
    assert dispatch.task_spec == "dispatch" and dispatch.assignee == "dispatcher1"
    assert dispatcher.url.endswith(f"/tasks/{dispatch.id}"), flash_text(dispatcher)
    claim_and_complete(journey, dispatcher, {"dispatch_choice": "accept"}, "dispatcher-dispatches")
    item = _open_task(demo_db, case_id)
    assert item.task_spec == "handle" and item.department
    assert "签收处置" in flash_text(dispatcher)  # back in the inbox, told who has the case now
    journey.shot(dispatcher, "dispatcher-told-who-has-it")

    handler = journey.sign_in(handler_of(item.department))
    _claim_and_complete(journey, handler, business_key, {"handle_decision": "accept"}, "handler-accepts")
    assert _open_task(demo_db, case_id).task_spec == "feedback" and "/tasks/" in handler.url
    claim_and_complete(journey, handler, {"result_summary": "已更换井盖并加固"}, "handler-reports-back")
    assert _open_task(demo_db, case_id).task_spec == "verify"

    _claim_and_complete(journey, worker, business_key, {"verify_result": "solved"}, "grid-worker-verifies")
    journey.shot(worker, "verified")

    with demo_db.transaction(readonly=True) as session:
        done = {(i.task_spec, i.completed_by) for i in session.scalars(
            select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "completed"))}
        open_now = _open_task(demo_db, case_id)
    assert done == {("register", "dispatcher1"), ("dispatch", "dispatcher1"),
                    ("handle", handler_of(item.department)), ("feedback", handler_of(item.department)),
                    ("verify", reporter)}
    assert open_now.task_spec == "close"
    assert not journey.console_errors, journey.console_errors
