"""A task that decides extension requests must sit in a lane whose holders may decide them."""
from __future__ import annotations

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle

SE = "processes/social_event.bpmn"
ORGANISATION = "rules/organisation.yaml"


def _with_review_in(lane_from: str, lane_to: str) -> Bundle:
    """The shipped bundle with social_event's 延期审批 (review_extension) moved from one lane to another."""
    bundle = load_root(PROJECT_ROOT)
    xml = bundle.files[SE]
    ref = "<bpmn:flowNodeRef>review_extension</bpmn:flowNodeRef>"
    assert xml.count(ref) == 1
    xml = xml.replace(ref, "")
    head, rest = xml.split(f'name="{lane_to}">', 1)
    xml = f'{head}name="{lane_to}">{ref}{rest}'
    assert lane_from != lane_to
    return Bundle({**bundle.files, SE: xml})


def _lane_problems(bundle: Bundle) -> list[str]:
    problems, _ = validate_bundle(bundle)
    return [f"{p.element}: {p.message}" for p in problems if "slaExtensionDecision" in p.message]


def test_the_shipped_extension_review_sits_in_the_supervisors_lane_and_validates() -> None:
    assert _lane_problems(load_root(PROJECT_ROOT)) == []


def test_an_extension_decision_in_a_lane_of_handlers_is_refused_with_the_roles_that_may_decide() -> None:
    [problem] = _lane_problems(_with_review_in("supervisor", "handler"))
    assert problem.startswith("review_extension: decides extension requests")
    assert "lane 'handler'" in problem and "admin, department_head, supervisor" in problem


def test_an_extension_decision_in_a_department_lane_is_left_to_the_departments_heads() -> None:
    bundle = load_root(PROJECT_ROOT)
    xml = bundle.files[SE].replace('<bpmn:lane id="lane_supervise" name="supervisor">',
                                   '<bpmn:lane id="lane_supervise" name="ducha">')
    assert _lane_problems(Bundle({**bundle.files, SE: xml})) == []


def test_the_lanes_that_may_hold_an_extension_decision_are_those_the_organisation_declares() -> None:
    """Granting handlers decide_extensions makes their lane a place for the review; taking it from the
    supervisor makes the shipped lane refused."""
    org = load_root(PROJECT_ROOT).files[ORGANISATION]
    handlers_decide = org.replace("{code: handler, name_zh: 处置员, name_en: Department handler, sees: department}",
                                  "{code: handler, name_zh: 处置员, name_en: Department handler, sees: department, "
                                  "oversees: department, may: [decide_extensions]}")
    assert handlers_decide != org
    moved = _with_review_in("supervisor", "handler")
    assert _lane_problems(Bundle({**moved.files, ORGANISATION: handlers_decide})) == []
    supervisors_do_not = org.replace("may: [dashboard, urge, decide_extensions, see_incidents, see_bulletins",
                                     "may: [dashboard, urge, see_incidents, see_bulletins", 1)
    assert supervisors_do_not != org
    [problem] = _lane_problems(Bundle({**load_root(PROJECT_ROOT).files, ORGANISATION: supervisors_do_not}))
    assert "lane 'supervisor'" in problem and "admin, department_head" in problem
