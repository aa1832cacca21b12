"""English names are configuration: a BPMN element's property nameEn (docs/analyst-guide.md, "Names in two
languages"). Every shipped process and every element of it with a name people read has one, in English;
validate refuses one that is empty or Chinese; and a step is found by its BPMN id in its own process, or by id and name together when a row
kept no process."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_root
from engine.definitions.names import NameBook, Version, VersionNames, name_en_of, read_names
from engine.definitions.validation import validate_bundle

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CJK = re.compile(r"[\u4e00-\u9fff]")
SHIPPED = sorted((PROJECT_ROOT / "processes").glob("*.bpmn"))
EXAMPLES = sorted((PROJECT_ROOT / "docs" / "examples").glob("*/processes/*.bpmn"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_process_and_user_task_has_an_english_name(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    missing = [element.get("id") for element in root.iter(f"{{{BPMN}}}process", f"{{{BPMN}}}userTask")
               if not name_en_of(element) or CJK.search(name_en_of(element) or "")]
    assert missing == []


@pytest.mark.parametrize("path", SHIPPED + EXAMPLES, ids=lambda p: p.name)
def test_every_named_element_of_a_shipped_process_has_an_english_name(path: Path) -> None:
    """Gateways, events, flows, script and rule tasks, subprocesses: the case page's diagram, timeline and timers
    read them in English. Lanes and messages are named by codes (a lane reads as its role); a pool reads as its
    process's name."""
    root = etree.parse(str(path)).getroot()
    named = [element for element in root.iter(f"{{{BPMN}}}*")
             if CJK.search(element.get("name") or "") and etree.QName(element).localname != "participant"]
    missing = [element.get("id") for element in named
               if not name_en_of(element) or CJK.search(name_en_of(element) or "")]
    assert named and missing == []


def test_the_names_of_a_shipped_process_are_read_from_its_file() -> None:
    names = read_names((PROJECT_ROOT / "processes" / "social_event.bpmn").read_text(encoding="utf-8"), "social_event")
    assert names.process == "District social-event supervision"
    assert names.elements["register"] == ("案卷建立（立案）", "Register the case")
    assert names.by_name["案卷建立（立案）"] == "Register the case"


@pytest.mark.parametrize("value", ["立案", "  ", "Register 立案"])
def test_validate_refuses_an_english_name_that_is_empty_or_chinese(value: str) -> None:
    bundle = load_root(PROJECT_ROOT)
    path = "processes/social_event.bpmn"
    text = bundle.files[path].replace('value="Register the case"', f'value="{value}"')
    problems, _catalogue = validate_bundle(bundle.overlay(type(bundle)({path: text})))
    assert [(p.element, p.key) for p in problems] == [("register", "name_en.not_english")]


def test_a_file_of_two_processes_gives_each_its_own_english_name() -> None:
    xml = f"""<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">
      <bpmn:process id="a" name="甲"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="nameEn" value="A" /></spiffworkflow:properties></bpmn:extensionElements></bpmn:process>
      <bpmn:process id="b" name="乙"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="nameEn" value="B" /></spiffworkflow:properties></bpmn:extensionElements></bpmn:process>
    </bpmn:definitions>"""
    assert (read_names(xml, "a").process, read_names(xml, "b").process) == ("A", "B")


def _version(version_id: int, key: str, steps: dict[str, tuple[str, str]]) -> Version:
    names = VersionNames(f"{key} process", steps, {zh: en for zh, en in steps.values()})
    return Version(version_id, key, key, names)


def _book() -> NameBook:
    # Newest first: licensing v2 names its inspection in English, v1 did not; a stall process has its own.
    return NameBook((_version(3, "stall", {"inspect": ("现场核查", "Stall site check")}),
                     _version(2, "licensing", {"inspection": ("现场核查", "Site inspection")}),
                     _version(1, "licensing", {})))


def test_a_step_reads_as_its_own_process_names_it_newest_version_first() -> None:
    book = _book()
    assert book.step("现场核查", "licensing", "inspection", version_id=1) == "Site inspection"
    assert book.step("现场核查", "stall", "inspect") == "Stall site check"
    assert book.step("现场核查", "licensing", "no_such_step") == "Site inspection"  # by its name in its process
    assert book.process("licensing", 1) == "licensing process"


def test_a_row_that_kept_no_process_matches_a_step_by_id_and_name_together() -> None:
    book = _book()
    assert book.step("现场核查", None, "inspection") == "Site inspection"
    assert book.step("另一个名称", None, "inspection") is None  # same id, another step
    assert book.step("现场核查") == "Stall site check"  # by name alone: the newest that names it
    assert book.step("没有的环节", None, None) is None
