"""What the studio's editors offer to choose from reads as names, never as codes: a lane's roles and departments
by their names in the page's language (namesakes told apart by what they are or where they belong, not by
their codes), a task's form, a business rule's decision and a called process by their names (two forms of one
title told apart by the processes that use them, two decisions of one name by their files), and a form's
options source by the deployed decision tables and their input columns. The codes stay the values the files
keep; deploy still refuses a reference to something that is not there, and its lines name a decision by its
name, the id only in the line's hint (for finding it in the file)."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from webtools import csrf_from, signed_in

from engine.definitions.service import current_bundle
from engine.org.config import OrgConfig, UnitSpec
from engine.org.service import load_organisation

REPORT = "forms/se_report.json"
REPORTING = "rules/emergency_reporting.dmn"
REPORTING_TEXT = (Path(__file__).resolve().parents[2] / REPORTING).read_text(encoding="utf-8")


def _page_json(html: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def _add_namesakes(web_db) -> None:
    """A department called like a role, and two street teams of one name in different streets."""
    with web_db.transaction() as session:
        load_organisation(session, OrgConfig(units={
            "gw_office": UnitSpec("gw_office", "department", "网格员", "Grid worker"),
            "zf_S02": UnitSpec("zf_S02", "department", "街道综合执法队", "Street enforcement team", "S02"),
            "zf_S03": UnitSpec("zf_S03", "department", "街道综合执法队", "Street enforcement team", "S03"),
        }))


def test_lane_choices_are_names_grouped_as_roles_and_departments_and_namesakes_differ_by_kind_or_street(app, web_db):
    _add_namesakes(web_db)
    client = signed_in(app, "ana")
    names = _page_json(client.get("/studio/processes/web_flow/edit").get_data(as_text=True), "cg-modeler-names")
    lanes = {choice["value"]: choice for choice in names["lanes"]}
    assert lanes["handler"] == {"value": "handler", "label": "处置员", "group": "角色"}
    assert lanes["chengguan"] == {"value": "chengguan", "label": "城市管理和综合执法局", "group": "部门"}
    assert lanes["grid_worker"]["label"] == "网格员（角色）" and lanes["gw_office"]["label"] == "网格员（部门）"
    assert lanes["zf_S02"]["label"] == "街道综合执法队（黄贝街道）"
    assert lanes["zf_S03"]["label"] == "街道综合执法队（东门街道）"
    labels = [choice["label"] for choice in names["lanes"]]
    assert len(set(labels)) == len(labels)
    assert not [c for c in names["lanes"] + names["roles"] if c["value"] in c["label"]]
    # roles come first, then departments (the page shows them as two groups)
    groups = [choice["group"] for choice in names["lanes"]]
    assert groups == sorted(groups, key=lambda g: g != "角色")
    # the starters' roles alone have no namesake: just the name
    assert {"value": "grid_worker", "label": "网格员", "group": "角色"} in names["roles"]

    with client.session_transaction() as session:
        session["locale"] = "en"
    names = _page_json(client.get("/studio/processes/web_flow/edit").get_data(as_text=True), "cg-modeler-names")
    lanes = {choice["value"]: choice for choice in names["lanes"]}
    assert lanes["handler"] == {"value": "handler", "label": "Department handler", "group": "Roles"}
    assert lanes["grid_worker"]["label"] == "Grid worker (role)"
    assert lanes["gw_office"]["label"] == "Grid worker (department)"
    assert lanes["zf_S02"]["label"] == "Street enforcement team (Huangbei Street)"


def test_namesakes_nothing_human_tells_apart_are_numbered_not_coded(app):
    from engine.definitions.studio import Choice
    from web.studio.names import told_apart

    with app.test_request_context():
        same = [Choice("a_code", "受理员", "Clerk", kind="role"), Choice("b_code", "受理员", "Clerk", kind="role")]
        assert told_apart(same, zh=True) == ["受理员（1）", "受理员（2）"]
        other_language = [Choice("a", "受理员", "Clerk"), Choice("b", "受理员", "Receptionist")]
        assert told_apart(other_language, zh=True) == ["受理员（Clerk）", "受理员（Receptionist）"]
        assert told_apart(other_language, zh=False) == ["Clerk", "Receptionist"]


def test_a_process_named_in_both_languages_reads_in_the_pages_language_alone():
    from engine.forms.i18n import split_bilingual

    assert split_bilingual("应急联动 Emergency linkage") == ("应急联动", "Emergency linkage")
    assert split_bilingual("行政许可") == ("行政许可", "行政许可")


def test_the_form_editor_offers_the_decisions_and_their_input_columns_by_their_chinese_labels(app):
    client = signed_in(app, "ana")
    names = _page_json(client.get(f"/studio/forms/{REPORT}").get_data(as_text=True), "cg-form-names")
    decisions = {d["value"]: d for d in names["decisions"]}
    assert decisions["se_catalogue"]["label"] == "事件分类与处置时限"
    assert decisions["se_catalogue"]["inputs"] == [{"value": "category", "label": "事件小类", "aliases": ["事件小类", "in_category"]}]
    # only inputs that list their values can be a source of options; a decision without one is not offered
    for decision in names["decisions"]:
        assert decision["inputs"], decision
        assert not [i for i in decision["inputs"] if i["value"] == i["label"]], decision


def test_deploying_a_form_whose_options_come_from_an_input_the_decision_lacks_is_refused_in_chinese(app, web_db):
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    with web_db.transaction(readonly=True) as session:
        before = current_bundle(session).files[REPORT]
    # the decision by its name and its inputs by their labels (its id only in the hint); what the file wrote
    # and is not there, as it wrote it
    for source, words, hint in [
            ({"decision": "se_catalogue", "input": "categry"},
             "决策「事件分类与处置时限」没有名为「categry」的输入（其输入为：「事件小类」）。", "决策标识：se_catalogue"),
            ({"decision": "se_catalog", "input": "category"}, "引用的决策「se_catalog」不在任何 DMN 文件中", "")]:
        doc = json.loads(before)
        doc["uiSchema"]["category"]["ui:optionsFrom"] = source
        response = client.post("/studio/deploy", json={"files": {REPORT: json.dumps(doc, ensure_ascii=False)}},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 422
        [problem] = [p for p in response.get_json()["problems"] if p["file"] == REPORT]
        assert problem["element"] == "category" and words in problem["text"], problem
        assert problem["hint"] == hint
    with web_db.transaction(readonly=True) as session:
        assert current_bundle(session).files[REPORT] == before


def test_forms_decisions_and_processes_read_as_names_and_namesake_forms_differ_by_the_process_that_uses_them(app):
    client = signed_in(app, "ana")
    names = _page_json(client.get("/studio/processes/web_flow/edit").get_data(as_text=True), "cg-modeler-names")
    for kind in ("forms", "decisions", "processes"):
        labels = [choice["label"] for choice in names[kind]]
        assert len(set(labels)) == len(labels), kind
        assert not [c for c in names[kind] if c["value"] in c["label"] or "_" in c["label"]], kind
    forms = {choice["value"]: choice["label"] for choice in names["forms"]}
    assert forms["lic_extension"] == "延期审批（行政许可）"
    assert forms["se_extension_review"] == "延期审批（城区社会事件统一监管）"
    assert forms["se_report"] == "事件上报"
    assert {"value": "se_catalogue", "label": "事件分类与处置时限"} in names["decisions"]
    assert {"value": "social_event", "label": "城区社会事件统一监管"} in names["processes"]

    with client.session_transaction() as session:
        session["locale"] = "en"
    names = _page_json(client.get("/studio/processes/web_flow/edit").get_data(as_text=True), "cg-modeler-names")
    forms = {choice["value"]: choice["label"] for choice in names["forms"]}
    assert forms["lic_extension"] == "Approve the extension"  # the English titles differ: nothing to add
    assert forms["se_extension_review"] == "Review an extension request"
    # a process by the English name its diagram gives it (nameEn)
    assert {"value": "social_event", "label": "District social-event supervision"} in names["processes"]


def test_namesake_decisions_differ_by_the_name_of_their_file_in_the_panel_and_the_form_editor(app, web_db):
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    drill = (REPORTING_TEXT.replace('id="emergency_reporting', 'id="drill_reporting')
             .replace('name="信息报送时限"', 'name="演练报送时限"'))
    response = client.post("/studio/deploy", json={"files": {"rules/drill_reporting.dmn": drill}},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_json()
    names = _page_json(client.get("/studio/processes/web_flow/edit").get_data(as_text=True), "cg-modeler-names")
    decisions = {choice["value"]: choice["label"] for choice in names["decisions"]}
    assert decisions["emergency_reporting"] == "报送时限（信息报送时限）"
    assert decisions["drill_reporting"] == "报送时限（演练报送时限）"
    sources = _page_json(client.get(f"/studio/forms/{REPORT}").get_data(as_text=True), "cg-form-names")["decisions"]
    assert {d["value"]: d["label"] for d in sources}["drill_reporting"] == "报送时限（演练报送时限）"


def test_a_decision_id_defined_twice_is_said_by_the_decisions_name_with_the_id_in_the_lines_title(app, web_db):
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    copy = REPORTING_TEXT.replace('id="emergency_reporting_definitions"', 'id="copy_definitions"')
    response = client.post("/studio/validate", json={"files": {"rules/reporting_copy.dmn": copy}}, headers={"X-CSRFToken": token})
    [problem] = response.get_json()["problems"]
    assert problem["key"] == "decision.duplicate_id"
    assert problem["text"] == "决策「报送时限」的标识已在 rules/emergency_reporting.dmn 中定义：两个决策的标识须不同。"
    assert problem["hint"] == "决策标识：emergency_reporting"
    assert "decision id also defined" in problem["message"]  # the API's and the CLI's English keeps the id

    # The upload page words it the same, the id in the line's title.
    response = client.post("/studio/upload", data={"csrf_token": token, "files": (io.BytesIO(copy.encode()), "reporting_copy.dmn")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ('<span class="cg-problem-text" title="决策标识：emergency_reporting">'
            "决策「报送时限」的标识已在 rules/emergency_reporting.dmn 中定义：两个决策的标识须不同。</span>") in html

    with client.session_transaction() as session:
        session["locale"] = "en"
    [problem] = client.post("/studio/validate", json={"files": {"rules/reporting_copy.dmn": copy}},
                            headers={"X-CSRFToken": token}).get_json()["problems"]
    assert problem["text"] == ("the id of decision '报送时限' is also defined in rules/emergency_reporting.dmn: two "
                               "decisions need different ids.")
    assert problem["hint"] == "decision id: emergency_reporting"


def _file_rows(html: str) -> dict[str, str]:
    """path -> the name the studio's file list gives it."""
    return {path: title.strip() for path, title in re.findall(
        r'<tr data-path="([^"]+)">\s*<td><code[^>]*>[^<]*</code></td><td data-file-title>([^<]*)</td>', html)}


def test_the_file_list_names_each_file_by_what_it_calls_itself_or_by_what_files_in_its_place_hold(app, web_db):
    client = signed_in(app, "ana")
    zh = _file_rows(client.get("/studio/").get_data(as_text=True))
    assert zh[REPORT] == "事件上报"
    assert zh[REPORTING] == "信息报送时限"
    assert zh["rules/sla/social_event.yaml"] == "时限规则"
    assert zh["rules/calendar/cn-2026.yaml"] == "2026 年节假日与调休"
    assert zh["rules/organisation.yaml"] == "组织机构：角色、部门与网格"
    assert zh["rules/events/hot_spot.json"].startswith("同一网格、同一小类")
    assert all(zh.values()), [path for path, title in zh.items() if not title]
    client.post("/locale", data={"locale": "en", "next": "/", "csrf_token": csrf_from(client.get("/studio/").get_data(as_text=True))})
    en = _file_rows(client.get("/studio/").get_data(as_text=True))
    assert en[REPORT] == "Report an event" and en["rules/sla/social_event.yaml"] == "Time-limit policies"
    assert en["rules/calendar/cn-2026.yaml"] == "Holidays and make-up workdays 2026"
