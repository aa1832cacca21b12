"""Every problem line validate can produce is worded from the catalogue: broken definitions of every kind
(the hostile corpus, and tests/hostile_corpus/broken: forms, DMN structure and cells, time-limit policies,
rule sets, diagrams, refused file names), validated over the shipped definitions, come back from the
studio's validate in Chinese: each line has a catalogued key and a Chinese text, never the engine's
English sentence, and a parser's refusal keeps its line and column."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from webtools import csrf_from, signed_in

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, client_bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionInvalid, Problem
from web.problem_places import place_words
from web.problem_texts import PROBLEM_TEXTS, word_problem

CORPUS = Path(__file__).parents[1] / "hostile_corpus"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# A sentence of English words (the raw parser text may stay after 「说明：」 as a detail, nowhere else).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+ [a-z]+ [a-z]+ [a-z]+")


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8", errors="surrogateescape")
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"}


BROKEN = {**_files(CORPUS / "definitions"), **_files(CORPUS / "broken")}


class _Names:
    unit = role = lane = process = staticmethod(lambda code: f"〔{code}〕")


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    files = {path: text.encode("utf-8", errors="replace").decode("utf-8") for path, text in BROKEN.items()}
    found, _ = validate_bundle(load_root(PROJECT_ROOT).overlay(Bundle(files)))
    return found


def _outside_detail(text: str) -> str:
    """The line without the parser's own words and without what the analyst wrote (quoted names)."""
    text = re.split(r"(?:解析器说明|校验器说明|内部说明|说明)：", text, maxsplit=1)[0]
    return re.sub(r"「[^」]*」|'[^']*'", "", text)


def test_the_corpus_reaches_every_kind_of_file_and_many_kinds_of_mistake(problems):
    keys = {problem.key for problem in problems}
    assert {problem.file.split("/")[0] for problem in problems} == {"processes", "rules", "forms"}
    assert {"file.not_xml", "file.not_json", "file.not_yaml", "form.order_twice", "form.visible_if_cycle",
            "decision.unknown_hit_policy", "decision.rule_inputs", "policy.unit_unknown",
            "ruleset.unknown_operation", "policy.unknown_process"} <= keys
    assert len(keys) >= 80


def test_every_problem_of_the_corpus_has_a_catalogued_key_and_a_chinese_line_without_english_sentences(problems):
    unworded = [str(problem) for problem in problems if problem.key not in PROBLEM_TEXTS]
    assert not unworded
    for problem in problems:
        zh = word_problem(problem, "zh", _Names())
        assert CHINESE.search(zh) and zh != problem.message, problem
        assert not ENGLISH_SENTENCE.search(_outside_detail(zh)), (problem.key, zh)
        en = word_problem(problem, "en", _Names())
        assert en and not CHINESE.search(_outside_detail(en).replace("〔", "").replace("〕", "")), (problem.key, en)


# How the engine writes elements (engine/definitions/places.py reads them back): none reaches a page in words.
ENGINE_SHAPES = re.compile(r"decision '|rule '|\(row \d|column '|output '|policies\[|' action \d")


def test_every_element_of_the_corpus_is_named_in_words_its_ids_only_in_the_title(problems):
    """Each kind of element the engine describes (a DMN decision, rule, column or cell; a BPMN element of
    any type, with a name or not; a form field, the form's key or schema; a policy, its stage or breach action
    or member; an event rule or its action; a rule set's member) is worded; only a path into a form file of the
    wrong shape is shown as the engine wrote it."""
    unworded = {(p.file, p.element) for p in problems if p.element and not place_words(p, "zh", _Names())[0]}
    assert unworded == {("forms/broken_shape.json", "schema.properties")}
    for problem in problems:
        if not problem.element or (problem.file, problem.element) in unworded:
            continue
        for locale in ("zh", "en"):
            words, _hint = place_words(problem, locale, _Names())
            assert not ENGINE_SHAPES.search(words), (problem.element, words)
        zh, _hint = place_words(problem, "zh", _Names())
        assert CHINESE.search(zh), (problem.element, zh)
        # the element's id or key is not the words (a member of a file is named by its key, the format's word)
        assert problem.element not in zh or problem.place["kind"] in ("member", "form"), (problem.element, zh)


def test_a_parser_refusal_is_explained_in_chinese_with_its_line_and_column(problems):
    json_line = next(p for p in problems if p.file == "forms/broken_json.json")
    assert word_problem(json_line, "zh", _Names()).startswith("文件不是有效的 JSON（第 1 行第 ")
    yaml_line = next(p for p in problems if p.file == "rules/sla/broken_yaml.yaml")
    assert re.match(r"文件不是有效的 YAML（第 \d+ 行第 \d+ 列）：请检查缩进、冒号和引号。解析器说明：",
                    word_problem(yaml_line, "zh", _Names()))


@pytest.mark.parametrize("name", ["forms/a b.json", "elsewhere/x.bpmn", "forms/x.txt", "x" * 400])
def test_a_refused_file_name_is_worded_in_chinese(name):
    with pytest.raises(DefinitionInvalid) as refused:
        client_bundle({name: "{}"})
    (problem,) = refused.value.problems
    assert problem.key in PROBLEM_TEXTS and CHINESE.search(word_problem(problem, "zh", _Names()))


def test_the_studio_validates_the_corpus_in_the_pages_language_with_the_english_message_beside(app):
    files = {path: text.encode("utf-8", errors="replace").decode("utf-8") for path, text in BROKEN.items()}
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    response = client.post("/studio/validate", json={"files": files}, headers={"X-CSRFToken": token})
    rows = response.get_json()["problems"]
    assert len(rows) > 80
    english = [row for row in rows if not CHINESE.search(row["text"]) or row["text"] == row["message"]]
    assert not english


BROKEN_YEAR = """year: 2026
status: official
colour: red
published: someday
holidays:
  - {name: 国庆节, from: 2026-10-08, to: 2026-10-01, days: 8}
  - {from: 2026-05-01}
  - {name: 劳动节, from: 2026-05-01, to: 2026-05-05, days: 3, extra: 1}
  - {name: 元旦, from: 2025-06-01}
  - not a holiday
makeup_workdays:
  - {date: 2026-10-08, name: 国庆节}
  - {date: 2026-09-27}
  - {date: 2026-10-10, name: 国庆节, x: 1}
  - {date: 2026-10-10, name: 国庆节}
"""
BROKEN_HOURS = """default: "09:00-18:00"
colour: red
organisations: {zhengwu: ["25:00-26:00"]}
"""


@pytest.mark.parametrize("text", [BROKEN_YEAR, BROKEN_HOURS, "year: [\n", "- a list\n", "year: 2026\nstatus: draft\n"],
                         ids=["year_file", "working_hours", "not_yaml", "not_a_mapping", "draft"])
def test_a_broken_calendar_file_is_worded_in_chinese(text):
    from engine.calendar.hours import load_working_hours
    from engine.calendar.yearfile import read_year_file
    from engine.sla.calendar_store import read_year

    reader = load_working_hours if "organisations" in text else (
        (lambda t: read_year(t, allow_draft=False)) if "draft" in text else read_year_file)
    with pytest.raises(DefinitionInvalid) as refused:
        reader(text)
    assert refused.value.problems
    for problem in refused.value.problems:
        assert problem.key in PROBLEM_TEXTS, problem
        zh = word_problem(problem, "zh", _Names())
        assert CHINESE.search(zh) and not ENGLISH_SENTENCE.search(_outside_detail(zh)), (problem.key, zh)
