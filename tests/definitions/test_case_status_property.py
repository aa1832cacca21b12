"""A user task's caseStatus property names a status the case list knows, or the deployment is refused."""
from __future__ import annotations

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle

SE = "processes/social_event.bpmn"
DECLARED = '<spiffworkflow:property name="caseStatus" value="awaiting_registration" />'


def _case_status_problems(bundle: Bundle) -> list[str]:
    problems, _ = validate_bundle(bundle)
    return [f"{p.element}: {p.message}" for p in problems if "caseStatus" in p.message]


def test_the_shipped_registration_step_declares_awaiting_registration_and_validates() -> None:
    bundle = load_root(PROJECT_ROOT)
    assert bundle.files[SE].count(DECLARED) == 1
    assert _case_status_problems(bundle) == []


def test_an_unknown_case_status_on_a_task_is_refused_at_deploy() -> None:
    bundle = load_root(PROJECT_ROOT)
    xml = bundle.files[SE].replace(DECLARED, DECLARED.replace("awaiting_registration", "almost_done"))
    [problem] = _case_status_problems(Bundle({**bundle.files, SE: xml}))
    assert problem.startswith("register: property caseStatus must be one of awaiting_registration")
