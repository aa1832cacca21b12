"""The studio's test bench: an analyst runs a shipped scenario over what is deployed and reads each line;
a malformed scenario gets its line back in Chinese; nobody else enters."""
from __future__ import annotations

from webtools import page_csrf, signed_in

from engine.config import PROJECT_ROOT

OVERDUE = "social_event_overdue.yaml"


def test_an_analyst_runs_a_shipped_scenario_and_reads_every_line(app, web_db):
    analyst = signed_in(app, "ana")
    page = analyst.get(f"/studio/scenarios?file={OVERDUE}").get_data(as_text=True)
    assert "测试场景" in page and f'data-scenario="{OVERDUE}"' in page and "湖贝路口暴露垃圾" in page

    ran = analyst.post("/studio/scenarios", data={
        "csrf_token": page_csrf(analyst, "/studio/scenarios"), "file": OVERDUE,
        "text": (PROJECT_ROOT / "scenarios" / OVERDUE).read_text(encoding="utf-8")})

    text = ran.get_data(as_text=True)
    assert ran.status_code == 200
    assert 'id="cg-scenario-result" data-passed="true"' in text, text[text.find("cg-scenario-result"):][:3000]
    assert "expect sla {处理反馈: 升级}" in text and 'data-passed="false"' not in text


def test_a_failing_expectation_shows_as_a_failed_line(app, web_db):
    analyst = signed_in(app, "ana")
    text = (PROJECT_ROOT / "scenarios" / OVERDUE).read_text(encoding="utf-8").replace(
        "expect: {tasks: [], status: 已办结}", "expect: {tasks: [], status: 已撤销}")
    ran = analyst.post("/studio/scenarios", data={"csrf_token": page_csrf(analyst, "/studio/scenarios"), "text": text})
    page = ran.get_data(as_text=True)
    assert 'id="cg-scenario-result" data-passed="false"' in page and "expect status 已撤销, found 已办结" in page


def test_a_failed_time_limit_expectation_says_what_was_found_in_the_scenarios_words(app, web_db):
    analyst = signed_in(app, "ana")
    text = (PROJECT_ROOT / "scenarios" / OVERDUE).read_text(encoding="utf-8").replace(
        "expect: {sla: {处理反馈: 临期}}", "expect: {sla: {处理反馈: 正常}}")
    ran = analyst.post("/studio/scenarios", data={"csrf_token": page_csrf(analyst, "/studio/scenarios"), "text": text})
    page = ran.get_data(as_text=True)
    assert "expect sla {处理反馈: 正常}, found {处理反馈: 临期}" in page and "at_risk" not in page
    assert "expect sla {处理反馈: 升级}" in page  # an escalated step still passes for 升级


def test_a_malformed_scenario_is_refused_with_its_line_and_others_may_not_enter(app, web_db):
    analyst = signed_in(app, "ana")
    ran = analyst.post("/studio/scenarios", data={"csrf_token": page_csrf(analyst, "/studio/scenarios"),
                                                  "text": "process: social_event\nsteps: []\n"})
    assert ran.status_code == 422 and "场景文件有误" in ran.get_data(as_text=True)
    assert "missing &#39;start&#39;" in ran.get_data(as_text=True)
    assert signed_in(app, "h_cg").get("/studio/scenarios").status_code == 403


def test_a_refused_scenario_comes_back_on_the_page_with_its_text_to_correct(app, web_db):
    analyst = signed_in(app, "ana")
    token = page_csrf(analyst, "/studio/scenarios")
    written = "process: social_event\nsteps: []\n# 写了一半的场景 <b>\n"
    ran = analyst.post("/studio/scenarios", data={"csrf_token": token, "text": written, "file": OVERDUE})
    page = ran.get_data(as_text=True)
    assert ran.status_code == 422
    assert 'data-error-for="text" role="alert">场景文件有误' in page and 'id="cg-scenario-form"' in page
    assert "# 写了一半的场景 &lt;b&gt;\n</textarea>" in page  # kept as typed, escaped
    assert f'name="file" value="{OVERDUE}"' in page
    empty = analyst.post("/studio/scenarios", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 422 and "请填写或选择要运行的场景。" in empty.get_data(as_text=True)
    assert 'id="cg-scenario-form"' in empty.get_data(as_text=True)
