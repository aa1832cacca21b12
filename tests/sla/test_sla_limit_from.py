"""A policy may take its limit from case data (limit_from) and its start from a data instant
(clock_start data:<key>); both are checked at deploy against the process and its decision tables."""
from __future__ import annotations

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.limits.policy import parse_policy_file, select_policy

SE_POLICIES = "rules/sla/social_event.yaml"


def _problems(policy_text: str, bpmn_change: tuple[str, str] | None = None) -> list[str]:
    files = dict(load_root(PROJECT_ROOT).files)
    files[SE_POLICIES] = policy_text
    if bpmn_change is not None:
        files["processes/social_event.bpmn"] = files["processes/social_event.bpmn"].replace(*bpmn_change, 1)
    problems, _ = validate_bundle(Bundle(files))
    return [f"{p.element}: {p.message}" for p in problems if p.file == SE_POLICIES]


def test_the_shipped_social_event_policies_deploy_and_one_limit_covers_handle_feedback_and_each_assist() -> None:
    files = load_root(PROJECT_ROOT).files
    assert _problems(files[SE_POLICIES]) == []
    policies, problems = parse_policy_file(SE_POLICIES, files[SE_POLICIES])
    assert problems == []
    disposal = select_policy(policies, "social_event", "assist [child]", "0102")
    assert disposal is not None and disposal.key == "social_event.disposal"
    assert disposal.tasks == ("handle", "feedback", "assist") and disposal.start_data_key == "dispatched_at"
    assert disposal.stage_for(0, {"limit_value": 2, "limit_unit": "working_days"}).limit == 2
    assert disposal.stage_for(0, {"limit_value": None, "limit_unit": "working_days"}) is None


def test_limit_from_must_name_outputs_of_a_decision_the_process_calls() -> None:
    text = """policies:
  - {key: k, process: social_event, task: handle, extendable: true,
     limit_from: {value: limit_value, unit: limit_units}}
"""
    assert _problems(text) == [
        "k: limit_from names 'limit_units', which no decision table that process 'social_event' calls has as an output"]


def test_limit_from_excludes_a_fixed_limit_and_statutory_counting() -> None:
    text = """policies:
  - {key: a, process: social_event, task: handle, limit: 4, unit: working_hours,
     limit_from: {value: limit_value, unit: limit_unit}}
  - {key: b, process: social_event, task: verify, counting: statutory, limit_from: {value: limit_value, unit: limit_unit}}
  - {key: c, process: social_event, task: close, limit_from: {value: 4}}
"""
    _policies, problems = parse_policy_file("p.yaml", text)
    assert [p.element for p in problems] == ["policies[0](a)", "policies[1](b).counting",
                                             "policies[2](c).limit_from.value", "policies[2](c).limit_from.unit"]


def test_clock_start_from_data_needs_a_script_of_the_process_that_sets_the_key() -> None:
    text = """policies:
  - {key: k, process: social_event, task: handle, limit: 1, unit: working_days, extendable: true,
     clock_start: data:handed_over_at}
"""
    assert _problems(text) == ["k: clock_start data:handed_over_at: no script of process 'social_event' sets it"]


def test_a_task_under_a_policy_may_not_set_its_own_due_time_as_well() -> None:
    files = load_root(PROJECT_ROOT).files
    with_due = ('<spiffworkflow:property name="formKey" value="se_verify" />',
                '<spiffworkflow:property name="formKey" value="se_verify" />'
                '<spiffworkflow:property name="dueAt" value="add_working_hours(now(), 8)" />')
    assert _problems(files[SE_POLICIES], with_due) == [
        "social_event.verify: task 'verify' also sets its own deadline (property dueAt); the policy's clock sets "
        "the work item's due time, remove dueAt"]


def test_one_task_in_two_policies_is_a_duplicate() -> None:
    text = """policies:
  - {key: a, process: social_event, task: [handle, feedback], limit: 1, unit: working_days, extendable: true}
  - {key: b, process: social_event, task: feedback, limit: 2, unit: working_days}
"""
    assert _problems(text) == ["b: same process/task/category as policy a (feedback)"]
