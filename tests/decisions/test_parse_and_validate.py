"""Deploy-time problems: every one names the file, the decision and, for cells, row and column."""
from __future__ import annotations

import pytest

from engine.decisions import parse_dmn, validate_dmn
from engine.errors import DefinitionInvalid

from .dmn_builder import dmn, fixture


def test_not_well_formed_xml_is_one_problem_for_the_file() -> None:
    (problem,) = validate_dmn(b"<definitions><decision>", "broken.dmn")
    assert problem.file == "broken.dmn" and problem.element is None
    assert problem.message.startswith("not well-formed XML")


def test_a_document_that_is_not_dmn_is_rejected() -> None:
    (problem,) = validate_dmn(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "x.dmn")
    assert "not a DMN definitions document" in problem.message


def test_external_entities_are_not_expanded() -> None:
    source = (
        b'<?xml version="1.0"?><!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
        b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x"><decision id="d">'
        b'<decisionTable><input label="x"><inputExpression><text>x</text></inputExpression></input>'
        b'<output name="r"/><rule id="r1"><inputEntry><text>-</text></inputEntry>'
        b"<outputEntry><text>&xxe;</text></outputEntry></rule></decisionTable></decision></definitions>"
    )
    (t,) = parse_dmn(source, "xxe.dmn")
    # The entity stays an unresolved reference: the cell reads as empty (null), not as the file.
    assert t.rules[0].output_entries == ("",)


@pytest.mark.parametrize(
    "namespace",
    [
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    ],
)
def test_dmn_1_1_1_2_and_1_3_namespaces_are_accepted(namespace: str) -> None:
    (t,) = parse_dmn(dmn([(['"a"'], ['"A"'])], namespace=namespace), "ns.dmn")
    assert t.evaluate({"x": "a"}) == {"result": "A"}


def test_unparsable_cell_is_reported_with_decision_rule_id_row_number_and_column_label() -> None:
    problems = validate_dmn(fixture("bad_cells.dmn"), "limits.dmn")
    assert [p.element for p in problems] == [
        "decision 'time_limit' rule 'broken_range' (row 2) column 'reported hours'",
        "decision 'time_limit' rule 'unquoted' (row 3) column 'category'",
    ]
    assert all(p.file == "limits.dmn" and p.message.startswith("cannot read input entry") for p in problems)


def test_parse_dmn_raises_definition_invalid_carrying_every_problem() -> None:
    with pytest.raises(DefinitionInvalid) as err:
        parse_dmn(fixture("bad_cells.dmn"), "limits.dmn")
    assert len(err.value.problems) == 2
    assert err.value.details[0]["element"].startswith("decision 'time_limit' rule 'broken_range'")


def test_unknown_hit_policy_is_rejected() -> None:
    (problem,) = validate_dmn(dmn([(["-"], ["1"])], hit_policy="SOMETIMES"), "h.dmn")
    assert problem.element == "decision 'd'" and "unknown hit policy 'SOMETIMES'" in problem.message


def test_unknown_aggregation_is_rejected() -> None:
    (problem,) = validate_dmn(dmn([(["-"], ["1"])], hit_policy="COLLECT", aggregation="AVG"), "h.dmn")
    assert "unknown aggregation 'AVG'" in problem.message


def test_row_with_the_wrong_number_of_entries_is_rejected_naming_the_row() -> None:
    source = dmn([(['"a"', '"b"'], ['"A"']), (['"c"'], [])], inputs=("x",))
    problems = validate_dmn(source, "w.dmn")
    assert [(p.element, p.message.split(" (line")[0]) for p in problems] == [
        ("decision 'd' rule 'r1' (row 1)", "has 2 input entries, the table has 1 columns"),
        ("decision 'd' rule 'r2' (row 2)", "has 0 output entries, the table has 1 columns"),
    ]


def test_output_expression_with_bad_syntax_is_rejected_naming_row_and_output() -> None:
    (problem,) = validate_dmn(dmn([(["-"], ["amount *"])]), "o.dmn")
    assert problem.element == "decision 'd' rule 'r1' (row 1) output 'result'"


def test_input_expression_with_bad_syntax_is_rejected_naming_the_column() -> None:
    (problem,) = validate_dmn(dmn([(["-"], ["1"])], inputs=("amount +",)), "i.dmn")
    assert problem.element == "decision 'd' column 'amount +'"


def test_literal_output_of_the_wrong_type_ref_is_rejected() -> None:
    source = fixture("route_department.dmn").replace(b"<outputEntry><text>4</text>", b'<outputEntry><text>"4h"</text>', 1)
    (problem,) = validate_dmn(source, "r.dmn")
    assert problem.element == "decision 'route_department' rule 'rubbish' (row 1) output 'limit_hours'"
    assert "is not a number" in problem.message


def test_decision_without_a_decision_table_is_reported_not_ignored() -> None:
    source = (
        b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x" name="x">'
        b'<decision id="lit"><literalExpression><text>1</text></literalExpression></decision></definitions>'
    )
    (problem,) = validate_dmn(source, "l.dmn")
    assert problem.element == "decision 'lit'" and "only decision tables" in problem.message


def test_bundled_routing_fixture_is_valid_and_parses_rule_descriptions() -> None:
    assert validate_dmn(fixture("route_department.dmn"), "routing.dmn") == []
    route, notify = parse_dmn(fixture("route_department.dmn"), "routing.dmn")
    assert route.rules[0].description == "暴露垃圾: sanitation, 4 working hours"
    assert [i.title for i in route.inputs] == ["category", "street"]
    assert notify.hit_policy == "COLLECT"
