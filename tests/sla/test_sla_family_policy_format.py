"""The format extensions the licensing and emergency policies need: limit_from with the unit fixed by the
policy (so statutory counting applies to a table's number of days), a dotted path into the work item's
own data, the deploy checks of both, and statutory pauses counted in whole working days."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.calendar.helpers import default_calendar
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.limits.policy import parse_policy_file
from engine.sla.deadline import compute

LIC = "rules/sla/licensing.yaml"
EM = "rules/sla/emergency.yaml"
SH = ZoneInfo("Asia/Shanghai")


def _problems(path: str, text: str) -> list[str]:
    files = dict(load_root(PROJECT_ROOT).files)
    files[path] = text
    problems, _ = validate_bundle(Bundle(files))
    return [f"{p.element}: {p.message}" for p in problems if p.file == path]


def test_the_shipped_licensing_and_emergency_policies_deploy_without_problems() -> None:
    files = load_root(PROJECT_ROOT).files
    assert _problems(LIC, files[LIC]) == [] and _problems(EM, files[EM]) == []


def test_a_fixed_unit_with_limit_from_allows_statutory_counting_and_reads_a_dotted_path() -> None:
    text = """policies:
  - {key: r, process: licensing, task: review_task, limit_from: {value: review.review_days}, unit: working_days,
     counting: statutory, clock_start: data:accepted_at}
"""
    (policy,), problems = parse_policy_file("p.yaml", text)
    assert problems == []
    assert policy.stage_for(0, {"review": {"review_days": 15}}).limit == 15
    assert policy.stage_for(0, {"review": {"review_days": 15}}).unit == "working_days"
    # Statutory counting ends at the close of a whole working day: a fraction is no usable limit.
    assert policy.stage_for(0, {"review": {"review_days": 2.5}}) is None
    assert policy.stage_for(0, {"review": None}) is None


def test_the_unit_is_given_once_and_statutory_needs_it_fixed_in_working_days() -> None:
    text = """policies:
  - {key: a, process: p, task: t, limit_from: {value: v, unit: u}, unit: minutes}
  - {key: b, process: p, task: t2, limit_from: {value: v}, unit: minutes, counting: statutory}
  - {key: c, process: p, task: t3, limit_from: {value: v}, unit: fortnights}
"""
    _policies, problems = parse_policy_file("p.yaml", text)
    assert [p.element for p in problems] == ["policies[0](a)", "policies[1](b).counting", "policies[2](c).unit"]


def test_a_dotted_limit_from_path_must_end_in_an_output_of_a_decision_the_process_calls() -> None:
    text = """policies:
  - {key: r, process: licensing, task: review_task, limit_from: {value: review.review_weeks}, unit: working_days}
"""
    assert _problems(LIC, text) == [
        "r: limit_from names 'review_weeks', which no decision table that process 'licensing' calls has as an output"]


def test_statutory_pauses_add_every_working_day_they_touched_so_the_deadline_stays_at_closing_time() -> None:
    calendar = default_calendar()
    accepted = datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # Tue
    plain = compute(calendar, started_at=accepted, amount=20, unit="working_days", counting="statutory")
    # Paused Tue 10:00 .. Thu 16:00: Tue, Wed, Thu touched -> three working days not counted.
    paused = compute(calendar, started_at=accepted, amount=20, unit="working_days", counting="statutory",
                     pauses=[(accepted, datetime(2026, 11, 26, 16, 0, tzinfo=SH))])
    assert paused.due_at == calendar.deadline_end_of_working_day(accepted, 23).at
    assert paused.due_at.astimezone(SH).time() == plain.due_at.astimezone(SH).time()
    # A pause that ended before the clock started does not count; one still open leaves nothing due.
    before = compute(calendar, started_at=accepted, amount=20, unit="working_days", counting="statutory",
                     pauses=[(datetime(2026, 11, 20, 9, 0, tzinfo=SH), datetime(2026, 11, 23, 9, 0, tzinfo=SH))])
    assert before.due_at == plain.due_at
    running = compute(calendar, started_at=accepted, amount=20, unit="working_days", counting="statutory",
                      pauses=[(accepted, None)])
    assert running.due_at is None
