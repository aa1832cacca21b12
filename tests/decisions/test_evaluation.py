"""Reading inputs and producing outputs: paths natively, everything else through the sandbox."""
from __future__ import annotations

import pytest

from engine.decisions import DecisionEvaluationError, DecisionRegistry
from engine.errors import DefinitionInvalid, NotFound

from .dmn_builder import dmn, fixture, table


def test_dotted_input_paths_read_nested_task_data_and_missing_steps_are_null() -> None:
    t = table([(["null"], ['"none"']), (['"a"'], ['"A"'])], inputs=("case.detail.kind",))
    assert t.evaluate({"case": {"detail": {"kind": "a"}}}) == {"result": "A"}
    assert t.evaluate({"case": {}}) == {"result": "none"}
    assert t.evaluate({}) == {"result": "none"}


def test_input_outside_its_allowed_values_is_an_error_not_a_silent_miss() -> None:
    route_source = fixture("route_department.dmn")
    registry = DecisionRegistry.from_sources([(route_source, "routing.dmn")])
    with pytest.raises(DecisionEvaluationError, match="input 'street' is \"Mars\", not one of its allowed values"):
        registry.evaluate("route_department", {"case": {"category": "exposed_rubbish", "street": "Mars"}})


def test_input_expressions_that_are_not_paths_run_in_the_sandbox() -> None:
    t = table([([">= 10"], ['"big"']), (["< 10"], ['"small"'])], inputs=("len(items) * 5",))
    assert t.evaluate({"items": [1, 2]}) == {"result": "big"}
    assert t.evaluate({"items": [1]}) == {"result": "small"}


def test_output_expressions_run_in_the_sandbox_against_the_context() -> None:
    t = table([(["-"], ["hours * 2", '"fixed"'])], outputs=("limit", "note"))
    assert t.evaluate({"x": 1, "hours": 4}) == {"limit": 8, "note": "fixed"}


def test_a_failing_output_expression_is_an_evaluation_error_naming_the_row() -> None:
    t = table([(["-"], ["hours * 2"])])
    with pytest.raises(DecisionEvaluationError, match=r"rule 'r1' \(row 1\): output 'result'"):
        t.evaluate({"x": 1})


def test_expressions_the_sandbox_refuses_are_rejected_at_deploy() -> None:
    with pytest.raises(DefinitionInvalid) as err:
        DecisionRegistry.from_sources([(dmn([(["-"], ['__import__("os")'])]), "evil.dmn")])
    assert err.value.problems[0].element == "decision 'd' rule 'r1' (row 1) output 'result'"


def test_registry_rejects_a_decision_id_defined_in_two_files() -> None:
    source = dmn([(["-"], ["1"])], decision_id="same")
    with pytest.raises(DefinitionInvalid) as err:
        DecisionRegistry.from_sources([(source, "a.dmn"), (source, "b.dmn")])
    (problem,) = err.value.problems
    assert problem.file == "b.dmn" and "already defined in a.dmn" in problem.message


def test_registry_lookup_of_an_unknown_decision_names_the_known_ones() -> None:
    registry = DecisionRegistry.from_sources([(fixture("route_department.dmn"), "routing.dmn")])
    assert registry.ids() == ["notify_agencies", "route_department"]
    with pytest.raises(NotFound, match="known: notify_agencies, route_department"):
        registry.get("nope")
