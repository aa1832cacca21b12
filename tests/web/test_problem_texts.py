"""Every problem key the engine sets has a zh and an en text with the params the engine gives it, and the studio
shows analysts' mistakes in Chinese: the analyst guide's deliberate mistakes come back from the studio's
validate as Chinese lines, codes by the organisation's names, the English message kept beside them."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from webtools import csrf_from, problem_keys_set, signed_in

from engine.errors import Problem
from web.error_texts import ERROR_TEXTS, placeholders
from web.problem_texts import PROBLEM_TEXTS, problem_hint, word_problem

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "stall_permit"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_problem_key_set_in_the_engine_has_a_chinese_and_an_english_text_using_its_params():
    keys = problem_keys_set()
    assert len(keys) >= 40  # the scan finds the keys (a broken scan would pass vacuously)
    assert not [key for key in keys if key not in PROBLEM_TEXTS]
    assert not [key for key in PROBLEM_TEXTS if key not in keys]  # no text for a line nobody reports
    for key, (zh, en) in PROBLEM_TEXTS.items():
        assert zh and en and CHINESE.search(zh), key
        assert placeholders(zh) == placeholders(en), key
        for given in keys[key]:
            if given is not None:  # params built in a variable are checked by the studio tests below
                assert placeholders(zh) - {"at"} <= given, (key, given)  # {at}: the line and column, if any


def test_problem_keys_and_error_keys_are_apart():
    assert not set(PROBLEM_TEXTS) & set(ERROR_TEXTS)


class _Names:
    unit = staticmethod(lambda code: {"huanwei": "环卫局", "S01": "园岭街道"}.get(code, code))
    role = staticmethod(lambda code: {"supervisor": "督办员", "admin": "系统管理员", "handler": "处置人员"}.get(code, code))
    lane = staticmethod(lambda code: code)
    process = staticmethod(lambda key: key)


def test_codes_in_a_problem_are_shown_by_name_and_a_problem_without_a_key_by_its_message():
    decider = Problem("processes/p.bpmn", "review", "decides extension requests ...", key="extension.decider_lane",
                      params={"lane_role": "handler", "allowed_roles": ["admin", "supervisor"]})
    assert word_problem(decider, "zh", _Names()) == ("此任务审批延期申请（slaExtensionDecision），但所在泳道的岗位「处置人员」无权审批延期。"
                                                     "请把它放在以下岗位的泳道中：系统管理员、督办员。")
    missing = Problem("forms/f.json", "department", "options missing ...", key="options.missing_from_org",
                      params={"kind": "department", "missing_codes": ["huanwei"]})
    assert "组织架构中的部门选项：环卫局。" in word_problem(missing, "zh", _Names())
    assert "organisation's department codes: 环卫局 (add" in word_problem(missing, "en", _Names())
    plain = Problem("processes/p.bpmn", "x", "something the catalogue does not word")
    assert word_problem(plain, "zh", _Names()) == "something the catalogue does not word"


def test_a_decision_and_its_input_are_said_by_their_names_and_the_decisions_id_only_in_the_hint():
    missing = Problem("forms/f.json", "category", "options missing ... decision 'se_catalogue' input 'category' ...",
                      key="options.missing_from_decision",
                      params={"decision": "se_catalogue", "decision_name": "事件分类与处置时限", "input": "category",
                              "input_name": "事件小类", "missing": ["'road_damage'"]})
    assert word_problem(missing, "zh", _Names()).startswith("表单缺少决策「事件分类与处置时限」输入「事件小类」中的选项：'road_damage'。")
    assert "decision '事件分类与处置时限' input '事件小类'" in word_problem(missing, "en", _Names())
    assert problem_hint(missing, "zh") == "决策标识：se_catalogue"
    assert problem_hint(missing, "en") == "decision id: se_catalogue"
    no_input = Problem("forms/f.json", "category", "...", key="options.no_such_input",
                       params={"decision": "se_catalogue", "decision_name": "事件分类与处置时限", "input": "categry",
                               "inputs": "'事件小类' (category)", "input_titles": ["事件小类", "街道"]})
    assert word_problem(no_input, "zh", _Names()) == "决策「事件分类与处置时限」没有名为「categry」的输入（其输入为：「事件小类」、「街道」）。"
    assert word_problem(no_input, "en", _Names()).endswith("(its inputs: '事件小类', '街道').")
    # a decision without a name has only its id to be called by; one no file defines, only what was written
    unnamed = Problem("rules/d.dmn", "d", "...", key="decision.duplicate_id",
                      params={"decision": "d", "decision_name": "", "other_file": "rules/e.dmn"})
    assert word_problem(unnamed, "zh", _Names()).startswith("决策「d」的标识已在 rules/e.dmn 中定义")
    assert problem_hint(unnamed, "zh") == ""
    unknown = Problem("processes/p.bpmn", "rule", "...", key="task.unknown_decision", params={"decision": "se_catalog"})
    assert "决策「se_catalog」不在" in word_problem(unknown, "zh", _Names()) and problem_hint(unknown, "zh") == ""


# The analyst guide's deliberate mistakes (tests/definitions/test_analyst_guide_example.py), in the studio.
GUIDE_MISTAKES = [
    ('name="handler">', 'name="street_office">', "lane_street",
     "泳道「street_office」不是组织架构中的岗位或部门。请填写岗位或部门代码。"),
    ('value="stall_review"', 'value="stall_reveiw"', "review",
     "人工任务使用的表单「stall_reveiw」在 forms/ 中不存在。请检查拼写，或先添加该表单。"),
]


@pytest.mark.parametrize(("right", "wrong", "element", "line"), GUIDE_MISTAKES,
                         ids=["lane_not_a_role", "form_misspelt"])
def test_each_mistake_of_the_analyst_guide_comes_back_from_the_studio_as_one_chinese_line(app, tmp_path, right,
                                                                                         wrong, element, line):
    draft = tmp_path / "stall_permit"
    shutil.copytree(EXAMPLE, draft)
    files = {path.relative_to(draft).as_posix(): path.read_text(encoding="utf-8")
             for path in draft.rglob("*") if path.is_file()}
    bpmn = "processes/stall_permit.bpmn"
    files[bpmn] = files[bpmn].replace(right, wrong)
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    response = client.post("/studio/validate", json={"files": files}, headers={"X-CSRFToken": token})
    body = response.get_json()
    assert (response.status_code, body["valid"]) == (200, False)
    assert [(p["file"], p["element"], p["text"]) for p in body["problems"]] == [(bpmn, element, line)]
    assert not CHINESE.search(body["problems"][0]["message"])  # the API's and the CLI's English stays
