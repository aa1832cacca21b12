"""Decision files (DMN) an analyst opens in the studio: each decision has an id of its own, and the shipped
files are named in Chinese."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle
from engine.definitions.validation import validate_bundle
from tests.core.helpers import two_step_bundle
from web.problem_texts import word_problem

DECISIONS = sorted((PROJECT_ROOT / "rules").glob("*.dmn"))
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def _table(definitions_id: str, decision_id: str) -> str:
    return (f'<definitions xmlns="{DMN}" id="{definitions_id}" name="示例" namespace="http://casegrid/rules">'
            f'<decision id="{decision_id}" name="示例"><decisionTable id="t"><input id="i" label="类别">'
            '<inputExpression id="e" typeRef="string"><text>category</text></inputExpression></input>'
            '<output id="o" name="level" typeRef="string"/><rule id="r"><inputEntry id="ie"><text>"a"</text>'
            '</inputEntry><outputEntry id="oe"><text>"x"</text></outputEntry></rule></decisionTable></decision>'
            '</definitions>')


def test_a_decision_with_the_id_of_its_files_definitions_is_refused_in_words_saying_what_to_change() -> None:
    problems, _ = validate_bundle(two_step_bundle().overlay(Bundle({"rules/sample.dmn": _table("sample", "sample")})))
    [problem] = [p for p in problems if p.key == "decision.id_is_definitions_id"]
    assert problem.file == "rules/sample.dmn" and problem.params["decision"] == "sample"
    assert "请修改 definitions 的 id" in word_problem(problem, "zh", None)
    clean, _ = validate_bundle(two_step_bundle().overlay(Bundle({"rules/sample.dmn": _table("sample_file", "sample")})))
    assert not [p for p in clean if p.key == "decision.id_is_definitions_id"]


@pytest.mark.parametrize("path", DECISIONS, ids=lambda p: p.name)
def test_a_shipped_decision_file_gives_each_decision_its_own_id_and_chinese_names(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    decisions = root.findall(f"{{{DMN}}}decision")
    assert decisions and root.get("id") not in {d.get("id") for d in decisions}
    for named in (root, *decisions):
        assert re.search("[\u4e00-\u9fff]", named.get("name")) and not re.search("[A-Za-z]", named.get("name"))
