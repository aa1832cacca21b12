"""Journey: a deployed version has a defect; a case stalls on it with an incident. The analyst deploys the
fix, previews and runs the migration in the studio, and retries the incident on the operator page; then
runs a test scenario from the studio's test bench.
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import expect  # noqa: E402

from engine.commands.timers import fire_due  # noqa: E402
from engine.store.models.incidents import IncidentStatus  # noqa: E402
from tests.incidents.helpers import FIXED, RAISING, case_row, deploy_nap, incidents_of, start_nap  # noqa: E402


def test_an_analyst_migrates_a_stuck_case_to_the_fixed_version_in_the_studio_and_retries_it(journey, demo_db):
    faulty = deploy_nap(demo_db, RAISING)
    case_id = start_nap(demo_db, wake_in=timedelta(seconds=1))
    time.sleep(1.2)
    fire_due(demo_db, "w1")  # the demo's own due timers fire too
    [incident] = incidents_of(demo_db, case_id)
    fixed = deploy_nap(demo_db, FIXED)
    assert case_row(demo_db, case_id).process_version_id == faulty

    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/nap")
    analyst.get_by_role("link", name="迁移运行中的案件…").click()
    expect(analyst.locator('#cg-running-per-version tr[data-version="1"]')).to_have_attribute("data-running", "1")
    journey.shot(analyst, "running-cases-per-version")
    analyst.get_by_role("link", name="预览迁移到 v2").click()
    report = analyst.locator("#cg-migration-report")
    expect(report).to_contain_text("迁移预览（尚未做任何更改）")
    expect(report.locator(f'tr[data-case="{case_id}"]')).to_have_attribute("data-movable", "true")
    expect(report.locator(f'tr[data-case="{case_id}"]')).to_contain_text("等到 wake_at → 等到 wake_at")
    journey.shot(analyst, "preview")
    assert case_row(demo_db, case_id).process_version_id == faulty  # a preview changes nothing

    analyst.get_by_role("button", name="迁移可迁移的案件").click()
    expect(analyst.locator("#cg-migration-report")).to_contain_text("已迁移 1 个案件，0 个不能迁移。")
    journey.shot(analyst, "migrated")
    assert case_row(demo_db, case_id).process_version_id == fixed

    analyst.goto("/incidents")
    analyst.locator(f'tr[data-incident="{incident.id}"] button[data-action=retry]').click()
    expect(analyst.locator("body")).to_contain_text("异常已解决")
    journey.shot(analyst, "retried")
    assert incidents_of(demo_db, case_id)[0].status == IncidentStatus.RESOLVED
    assert case_row(demo_db, case_id).data["wakes"] == 1
    analyst.goto(f"/cases/{case_id}")
    expect(analyst.locator("body")).to_contain_text("迁移到流程的另一版本")
    assert not journey.console_errors, journey.console_errors


def test_an_analyst_runs_a_shipped_scenario_from_the_studio_test_bench(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/")
    analyst.get_by_role("link", name="测试场景").click()
    analyst.locator('a[data-scenario="social_event_overdue.yaml"]').click()
    expect(analyst.locator("textarea[name=text]")).to_contain_text("湖贝路口暴露垃圾")
    analyst.get_by_role("button", name="运行场景").click()
    result = analyst.locator("#cg-scenario-result")
    expect(result).to_have_attribute("data-passed", "true", timeout=120_000)
    expect(result).to_contain_text("expect sla {处理反馈: 升级}")
    journey.shot(analyst, "scenario-passed")
    assert not journey.console_errors, journey.console_errors
