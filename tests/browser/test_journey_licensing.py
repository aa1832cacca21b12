"""Journey 4: a licence application at the service window (政务服务窗口), each step in the browser by the
person it belongs to: the window staff enter an incomplete application and tell the applicant once what to
supplement (一次性告知补正); a second notice is refused beside the choice, in words, and records no incident;
the window accepts, the reviewing department's handler gives its opinion, the window decides and the
decision waits to be issued."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from browsertools import (  # noqa: E402
    case_id_from,
    claim_and_complete,
    fill_form,
    open_from_inbox,
    submit_form,
)
from playwright.sync_api import Page, expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.store.models.cases import Case  # noqa: E402
from engine.store.models.incidents import Incident  # noqa: E402
from engine.store.models.tasks import WorkItem  # noqa: E402

TITLE = "浏览器测试：食品经营许可 南湖小馆"
FOOD_MATERIALS = ["application_form", "business_licence", "id_card", "premises_layout", "food_safety_rules",
                  "staff_health_certs"]


def _work(journey, page: Page, business_key: str, values: dict, shot: str) -> None:
    open_from_inbox(page, business_key)
    claim_and_complete(journey, page, values, shot)


def _open_steps(demo_db, case_id: int) -> set[tuple[str, str | None]]:
    with demo_db.transaction(readonly=True) as session:
        return set(session.execute(select(WorkItem.task_spec, WorkItem.department).where(
            WorkItem.case_id == case_id, WorkItem.status == "open")))


def test_an_application_is_told_once_to_supplement_accepted_reviewed_and_decided_at_the_window(journey, demo_db):
    window = journey.sign_in("window1")
    window.goto("/start")
    window.locator("a[href$='/start/licensing']").click()
    fill_form(window, {"title": TITLE, "applicant": "南湖小馆", "applicant_id": "92440303MA5G0Z9X9K",
                       "contact_phone": "13800000001", "licence_type": "food_business",
                       "materials_submitted": FOOD_MATERIALS[:-1]})
    journey.shot(window, "window-enters-application")
    submit_form(window)
    case_id = case_id_from(window.url)
    with demo_db.transaction(readonly=True) as session:
        business_key = session.get(Case, case_id).business_key
    assert _open_steps(demo_db, case_id) == {("accept", None)}

    _work(journey, window, business_key, {"acceptance_decision": "supplement"}, "window-tells-once-what-to-supplement")
    assert _open_steps(demo_db, case_id) == {("supplement", None)}
    claim_and_complete(journey, window, {"materials_supplemented": ["staff_health_certs"]}, "applicant-supplements")
    assert _open_steps(demo_db, case_id) == {("accept", None)}
    # The applicant was told once: a second notice is refused beside the choice, and nothing breaks.
    fill_form(window, {"acceptance_decision": "supplement"})
    submit_form(window)
    expect(window.locator("form.cg-form [data-field=acceptance_decision]")).to_contain_text("已一次性告知申请人补正")
    journey.shot(window, "a-second-notice-is-refused")
    with demo_db.transaction(readonly=True) as session:
        assert not session.scalars(select(Incident).where(Incident.case_id == case_id)).all()
    assert _open_steps(demo_db, case_id) == {("accept", None)}
    claim_and_complete(journey, window, {"acceptance_decision": "accept"}, "window-accepts")
    assert _open_steps(demo_db, case_id) == {("review_task", "shijian")}

    reviewer = journey.sign_in("shijian_h1")
    _work(journey, reviewer, business_key, {"opinion": "approve", "comments": "现场布局符合要求"}, "department-reviews")
    assert _open_steps(demo_db, case_id) == {("decide", None)}

    _work(journey, window, business_key, {"licence_decision": "grant"}, "window-decides")
    assert _open_steps(demo_db, case_id) == {("issue", None)}
    assert "/tasks/" in window.url  # the window goes straight on to issue the licence it granted
    journey.shot(window, "window-goes-on-to-issue")
    window.goto(f"/cases/{case_id}")
    expect(window.locator("#cg-case-fields")).to_contain_text("南湖小馆")
    journey.shot(window, "case-waits-to-be-issued")
    assert not journey.console_errors, journey.console_errors
