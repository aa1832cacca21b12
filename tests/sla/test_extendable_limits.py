"""Whether more time may be asked on a limit is the rule file's to say (`extendable`), checked at deploy: a
bad value is named in words, a limit is not extendable unless it says so, a task that asks for more time in
its form needs an extendable limit, and an extendable limit must not leave a timer of its task on the old
date (the deemed acceptance of 行政许可法 Art. 32 firing while the shown deadline moved)."""
from __future__ import annotations

from pathlib import Path

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.errors import Problem
from engine.limits.policy import parse_policy_file
from web.problem_texts import word_problem

LICENSING = "rules/sla/licensing.yaml"
SOCIAL = "rules/sla/social_event.yaml"


class _Names:
    unit = role = lane = process = staticmethod(lambda code: code)


def _problems(path: str, text: str) -> list[Problem]:
    files = dict(load_root(PROJECT_ROOT).files)
    files[path] = text
    problems, _ = validate_bundle(Bundle(files))
    return [p for p in problems if p.file == path]


def test_extendable_must_be_true_or_false_and_a_bad_value_is_named_in_words() -> None:
    text = """policies:
  - {key: k, process: licensing, task: issue, limit: 10, unit: working_days, extendable: "only once"}
"""
    policies, problems = parse_policy_file("rules/sla/p.yaml", text)
    assert policies == []
    (problem,) = problems
    assert problem.element == "policies[0](k).extendable"
    assert problem.message == "extendable is true or false (may more time be asked on this limit?), got 'only once'"
    assert word_problem(problem, "zh", _Names()) == \
        "extendable 须为 true（此时限可申请延期）或 false（不可延期），当前为 'only once'。"


def test_casegrid_validate_reports_a_bad_extendable_value_and_fails(cli, tmp_path: Path) -> None:
    shipped = (PROJECT_ROOT / LICENSING).read_text(encoding="utf-8")
    draft = tmp_path / "draft" / LICENSING  # a folder holding rules/: read as a root over the shipped files
    draft.parent.mkdir(parents=True)
    draft.write_text(shipped.replace("    extendable: true\n", "    extendable: 10\n", 1), encoding="utf-8")
    result = cli("validate", str(tmp_path / "draft"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("policies[2](licensing.decide).extendable: extendable is true or false (may more time be asked on this "
            "limit?), got 10") in result.stdout + result.stderr


def test_a_limit_may_not_be_extended_unless_its_policy_says_so() -> None:
    text = """policies:
  - {key: a, process: licensing, task: issue, limit: 10, unit: working_days}
  - {key: b, process: licensing, task: accept, limit: 5, unit: working_days, extendable: false}
  - {key: c, process: licensing, task: review_task, limit: 5, unit: working_days, extendable: true}
"""
    policies, problems = parse_policy_file("rules/sla/p.yaml", text)
    assert problems == []
    assert {p.key: p.extendable for p in policies} == {"a": False, "b": False, "c": True}


def test_the_shipped_licensing_rules_let_only_the_decision_limit_be_extended() -> None:
    policies, problems = parse_policy_file(LICENSING, (PROJECT_ROOT / LICENSING).read_text(encoding="utf-8"))
    assert problems == []
    assert {p.key: p.extendable for p in policies} == {
        "licensing.accept": False, "licensing.review": False, "licensing.decide": True,
        "licensing.approve_extension": False, "licensing.issue": False}


def test_a_task_that_asks_for_more_time_in_its_form_needs_an_extendable_limit() -> None:
    shipped = (PROJECT_ROOT / SOCIAL).read_text(encoding="utf-8")
    assert _problems(SOCIAL, shipped) == []
    text = shipped.replace("    extendable: true  # DOMAIN.md step 4", "    extendable: false  # DOMAIN.md step 4", 1)
    assert [(p.element, p.key) for p in _problems(SOCIAL, text)] == [
        ("social_event.disposal", "policy.extension_not_allowed")]


def test_an_extendable_limit_on_a_task_whose_own_timer_would_stay_on_the_old_date_is_refused() -> None:
    shipped = (PROJECT_ROOT / LICENSING).read_text(encoding="utf-8")
    assert _problems(LICENSING, shipped) == []
    text = shipped.replace("    extendable: false  # Art. 32", "    extendable: true  # Art. 32", 1)
    (problem,) = _problems(LICENSING, text)
    assert (problem.element, problem.key) == ("licensing.accept", "policy.extension_leaves_timer")
    assert word_problem(problem, "zh", _Names()) == (
        "策略写了 extendable: true，但任务「accept」上的定时事件「视为受理（5个工作日内未作决定）」不会随批准的延期顺延："
        "请改为 extendable: false，或在流程中建模延期（slaExtensionRequest）。")
