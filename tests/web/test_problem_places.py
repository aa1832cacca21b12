"""A studio problem line says where the problem is in the page's language and in words: the file's path (the
analyst edits files by path), then the element as a person names it — a decision by its name and a rule by
its row (决策「事件分类与处置时限」第 1 条规则), a column by its label, a BPMN element by its type in words and its
name (用户任务「案卷建立（立案）」, 顺序流「作废」, a flow without a name by the elements it joins), a form field
by its label (one without a label, or two of one label, by its place in the form), a time-limit policy or an
event rule by its place in the file. The ids stay in the words' title, for finding the element in the file;
the API and the CLI keep `element` as the engine wrote it, and an element that cannot be read back is shown
as written."""
from __future__ import annotations

import io
import json
from pathlib import Path

from webtools import csrf_from, signed_in

from engine.definitions.places import locate
from engine.errors import Problem
from web.problem_places import place_words

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = "rules/social_event_catalogue.dmn"
PROCESS = "processes/social_event.bpmn"
REPORT = "forms/se_report.json"


def _shipped(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _validate(client, files: dict[str, str], locale: str = "zh") -> dict[str, dict]:
    """The problems of `files` by element, validated over what is deployed, worded in `locale`."""
    with client.session_transaction() as session:
        session["locale"] = locale
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    response = client.post("/studio/validate", json={"files": files}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_json()
    return {p["element"]: p for p in response.get_json()["problems"] if p["file"] in files}


def _where(problems: dict[str, dict]) -> dict[str, tuple[str, str]]:
    return {element: (p["place"], p["place_hint"]) for element, p in problems.items()}


def _broken_cells() -> str:
    """The catalogue with a rule's input cell unreadable, two output cells of the wrong type (one in a column
    without a label) and the input column's values unreadable."""
    return (_shipped(CATALOGUE)
            .replace('<inputEntry><text>"0101"</text></inputEntry>', '<inputEntry><text>"0101" +</text></inputEntry>', 1)
            .replace("<outputEntry><text>4</text></outputEntry>", '<outputEntry><text>"四"</text></outputEntry>', 1)
            .replace('name="emergency_linked" label="启动应急联动"', 'name="emergency_linked"')
            .replace("<outputEntry><text>false</text></outputEntry>", '<outputEntry><text>"否"</text></outputEntry>', 1)
            .replace('<inputValues><text>"0101",', '<inputValues><text>"0101",,', 1))


def test_a_decision_tables_problems_name_the_decision_rule_and_column_in_words_and_their_ids_in_the_title(app):
    client = signed_in(app, "ana")
    where = _where(_validate(client, {CATALOGUE: _broken_cells()}))
    rule = "decision 'se_catalogue' rule 'c0101' (row 1)"
    assert where == {
        "decision 'se_catalogue' column '事件小类'":
            ("决策「事件分类与处置时限」输入「事件小类」", "决策标识：se_catalogue；输入表达式：category"),
        f"{rule} column '事件小类'":
            ("决策「事件分类与处置时限」第 1 条规则的输入「事件小类」", "决策标识：se_catalogue；规则标识：c0101；输入表达式：category"),
        f"{rule} output 'limit_value'":
            ("决策「事件分类与处置时限」第 1 条规则的输出「处置时限」", "决策标识：se_catalogue；规则标识：c0101；输出名：limit_value"),
        # an output column without a label: by its place in the table, its name in the title
        f"{rule} output 'emergency_linked'":
            ("决策「事件分类与处置时限」第 1 条规则的第 8 列输出", "决策标识：se_catalogue；规则标识：c0101；输出名：emergency_linked"),
    }

    english = _where(_validate(client, {CATALOGUE: _broken_cells()}, "en"))
    assert english[f"{rule} column '事件小类'"] == (
        "decision 事件分类与处置时限, rule 1, input 事件小类",
        "decision id: se_catalogue; rule id: c0101; input expression: category")
    assert english[f"{rule} output 'emergency_linked'"][0] == "decision 事件分类与处置时限, rule 1, output column 8"


def test_overlapping_rules_and_a_whole_decision_are_named_by_the_decisions_name_and_the_rows(app):
    client = signed_in(app, "ana")
    overlap = _shipped(CATALOGUE).replace('<inputEntry><text>"0102"</text></inputEntry>',
                                          '<inputEntry><text>"0101"</text></inputEntry>', 1)
    where = _where(_validate(client, {CATALOGUE: overlap}))
    assert where["decision 'se_catalogue' rule 'c0101' (row 1) and rule 'c0102' (row 2)"] == (
        "决策「事件分类与处置时限」第 1 条与第 2 条规则", "决策标识：se_catalogue；规则标识：c0101、c0102")
    assert where["decision 'se_catalogue'"] == ("决策「事件分类与处置时限」", "决策标识：se_catalogue")
    english = _where(_validate(client, {CATALOGUE: overlap}, "en"))
    assert english["decision 'se_catalogue' rule 'c0101' (row 1) and rule 'c0102' (row 2)"][0] == \
        "decision 事件分类与处置时限, rules 1 and 2"


def _broken_process() -> str:
    """The social-event process with a user task without its form, a named flow's and an unnamed flow's
    condition refused, and a lane whose role is not in the organisation."""
    return (_shipped(PROCESS)
            .replace('<spiffworkflow:property name="formKey" value="se_register" />', "", 1)
            .replace('<bpmn:conditionExpression>register_decision == "cancel"</bpmn:conditionExpression>',
                     "<bpmn:conditionExpression>register_decision ==</bpmn:conditionExpression>")
            .replace('<bpmn:sequenceFlow id="f_not_emergency" sourceRef="gw_emergency" targetRef="route" />',
                     '<bpmn:sequenceFlow id="f_not_emergency" sourceRef="gw_emergency" targetRef="route">'
                     "<bpmn:conditionExpression>emergency_linked = False</bpmn:conditionExpression></bpmn:sequenceFlow>")
            .replace('<bpmn:lane id="lane_hotline" name="hotline">', '<bpmn:lane id="lane_hotline" name="hotline_office">'))


def test_a_diagrams_problems_name_each_element_by_its_type_in_words_and_its_name_the_id_in_the_title(app):
    client = signed_in(app, "ana")
    where = _where(_validate(client, {PROCESS: _broken_process()}))
    assert where == {
        "register": ("用户任务「案卷建立（立案）」", "元素标识：register"),
        "f_cancel": ("顺序流「作废」", "元素标识：f_cancel"),
        # a flow without a name: by the elements it joins
        "f_not_emergency": ("从「应急类事件？」到「责任单位建议」的顺序流", "元素标识：f_not_emergency"),
        "lane_hotline": ("泳道「hotline_office」", "元素标识：lane_hotline"),  # its code is all it has
    }
    english = _where(_validate(client, {PROCESS: _broken_process()}, "en"))
    assert english["register"] == ("user task Register the case", "element id: register")  # its nameEn
    assert english["f_not_emergency"] == ("sequence flow from Emergency event? to Suggest the responsible unit", "element id: f_not_emergency")


def test_a_lane_reads_as_its_role_and_an_element_without_a_name_as_its_type_with_its_id_in_the_title():
    bpmn = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <bpmn:process id="p" name="行政许可 Administrative licensing" isExecutable="true">
        <bpmn:laneSet><bpmn:lane id="lane_a" name="window_clerk" /></bpmn:laneSet>
        <bpmn:userTask id="t" />
        <bpmn:boundaryEvent id="late" attachedToRef="t"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
        <bpmn:intermediateCatchEvent id="wait" name="等待回复"><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>
        <bpmn:scriptTask />
      </bpmn:process>
    </bpmn:definitions>"""
    path = "processes/p.bpmn"
    problems = locate([Problem(path, element, "m") for element in ("p", "lane_a", "t", "late", "wait", "scriptTask")],
                      {path: bpmn})

    class Names:
        lane = staticmethod({"window_clerk": "窗口受理员"}.get)

    assert [place_words(p, "zh", Names) for p in problems] == [
        ("流程「行政许可」", "流程标识：p"),  # a name in both languages: the page's half
        ("泳道「窗口受理员」", "元素标识：lane_a"),
        ("未命名的用户任务", "元素标识：t"),
        ("未命名的定时边界事件", "元素标识：late"),
        ("消息中间捕获事件「等待回复」", "元素标识：wait"),
        ("未命名的脚本任务", ""),  # no id: its type is all the file says
    ]
    assert place_words(problems[0], "en", Names) == ("process Administrative licensing", "process id: p")
    assert place_words(problems[3], "en", Names) == ("unnamed timer boundary event", "element id: late")


def _broken_form() -> str:
    """The report form with a field without a label, a text field and a number field given a date's bounds,
    and the number field called like another field."""
    form = json.loads(_shipped(REPORT))
    del form["uiSchema"]["address"]["ui:title"]
    form["uiSchema"]["title"]["ui:within"] = {"notBefore": "now"}
    form["uiSchema"]["latitude"]["ui:title"]["zh"] = "经度"  # as the longitude field is called
    form["uiSchema"]["latitude"]["ui:within"] = {"notBefore": "now"}
    return json.dumps(form, ensure_ascii=False)


def test_a_forms_problems_name_each_field_by_its_label_and_by_its_place_when_the_label_does_not_tell(app):
    client = signed_in(app, "ana")
    where = _where(_validate(client, {REPORT: _broken_form()}))
    assert where == {
        "title": ("字段「标题」", "字段键名：title"),  # the field called title, not the form's title
        "address": ("未命名字段（第 4 项）", "字段键名：address"),
        "latitude": ("字段「经度」（第 5 项）", "字段键名：latitude"),
    }
    english = _where(_validate(client, {REPORT: _broken_form()}, "en"))
    assert english == {
        "title": ("field Title", "field key: title"),
        "address": ("field without a label (no. 4)", "field key: address"),
        "latitude": ("field Latitude", "field key: latitude"),  # in English no other field reads so
    }

    # The form editor's preview checks the form alone and words its lines the same way.
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    with client.session_transaction() as session:
        session["locale"] = "zh"
    preview = client.post("/studio/forms/preview", json={"path": REPORT, "text": _broken_form(), "lang": "zh"},
                          headers={"X-CSRFToken": token}).get_json()
    assert {p["element"]: p["place"] for p in preview["problems"]}["address"] == "未命名字段（第 4 项）"


def test_the_upload_page_shows_the_file_path_then_the_element_in_words_its_ids_in_the_title(app, web_db):
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    response = client.post("/studio/upload", data={"csrf_token": token,
                                                   "files": (io.BytesIO(_broken_cells().encode()), "social_event_catalogue.dmn")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ('<li><code>rules/social_event_catalogue.dmn</code> · <span class="cg-problem-place" '
            'title="决策标识：se_catalogue；规则标识：c0101；输出名：limit_value">决策「事件分类与处置时限」第 1 条规则的输出「处置时限」</span>: ') in html
    assert "rule &#39;c0101&#39;" not in html and "decision &#39;se_catalogue&#39;" not in html


def test_an_element_that_cannot_be_read_back_is_shown_as_the_engine_wrote_it(app):
    client = signed_in(app, "ana")
    form = json.loads(_shipped(REPORT))
    form["schema"]["properties"] = []  # the file's shape is wrong: the element is a path in the file
    problems = _validate(client, {REPORT: json.dumps(form, ensure_ascii=False)})
    assert problems["schema.properties"]["place"] == "" and problems["schema.properties"]["place_hint"] == ""

    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    upload = client.post("/studio/upload", data={"csrf_token": token, "files": (
        io.BytesIO(json.dumps(form, ensure_ascii=False).encode()), "se_report.json")}, content_type="multipart/form-data")
    assert "<code>forms/se_report.json</code> · <code>schema.properties</code>: " in upload.get_data(as_text=True)

    # Nor does an element whose decision, row or id the file lacks, or facts of a kind not worded, fail the line.
    dmn = "rules/x.dmn"
    located = locate([Problem(dmn, "decision 'se_catalogue' rule 'c9999' (row 999)", "m"),
                      Problem(dmn, "decision 'nowhere'", "m"), Problem(dmn, "something else", "m")],
                     {dmn: _shipped(CATALOGUE)})
    assert [p.place for p in located] == [None, None, None]
    assert place_words(Problem(dmn, "x", "m", place={"kind": "a kind from tomorrow"}), "zh", None) == ("", "")
    assert place_words(Problem(dmn, "x", "m", place={"kind": "decision"}), "zh", None) == ("", "")


def test_the_api_and_the_cli_keep_the_element_as_the_engine_wrote_it(app):
    client = signed_in(app, "ana")
    problems = _validate(client, {CATALOGUE: _broken_cells()})
    rule = problems["decision 'se_catalogue' rule 'c0101' (row 1) output 'limit_value'"]
    assert rule["element"] == "decision 'se_catalogue' rule 'c0101' (row 1) output 'limit_value'"
    [problem] = locate([Problem(CATALOGUE, rule["element"], rule["message"])], {CATALOGUE: _broken_cells()})
    assert problem.place and problem.as_dict() == {"file": CATALOGUE, "element": rule["element"], "message": rule["message"]}
    assert str(problem) == f"{CATALOGUE}: {rule['element']}: {rule['message']}"
