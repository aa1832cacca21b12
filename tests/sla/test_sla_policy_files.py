"""SLA policy files are validated at deploy time; a bad one is refused with one line per problem."""
from __future__ import annotations

import pytest

from engine.definitions.service import deploy
from engine.errors import DefinitionInvalid
from engine.limits.policy import parse_policy_file, policies_from_files, select_policy
from engine.store.database import Database
from tests.sla.conftest import FIXTURES, demo_bundle

BAD = """\
policies:
  - key: bad.unit
    process: sla_demo
    task: accept
    limit: 5
    unit: fortnights
  - key: bad.task
    process: sla_demo
    task: no_such_task
    limit: 1
    unit: hours
  - key: bad.action
    process: sla_demo
    task: handle
    limit: 2
    unit: working_days
    warning_at: 1.5
    on_breach:
      - {action: escalate, to: the_mayor}
"""


def test_a_policy_file_with_errors_is_refused_at_deploy_naming_each_problem(db: Database) -> None:
    with pytest.raises(DefinitionInvalid) as caught, db.transaction() as session:
        deploy(session, demo_bundle(BAD), actor="test")
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "unit must be one of" in text
    assert "has no element 'no_such_task'" in text
    assert "warning_at" in text and "escalate to one of" in text


def test_the_shipped_example_policies_parse_and_the_category_policy_wins_for_its_category() -> None:
    policies, problems = parse_policy_file("rules/sla/x.yaml", (FIXTURES / "sla_demo.yaml").read_text("utf-8"))
    assert problems == []
    assert select_policy(policies, "sla_demo", "handle", "illegal_structure").key == "demo.handle.structure"
    assert select_policy(policies, "sla_demo", "handle", "rubbish").key == "demo.handle"
    assert select_policy(policies, "sla_demo", "nothing", None) is None


def test_statutory_counting_is_only_for_working_days() -> None:
    _policies, problems = parse_policy_file("p.yaml", "policies:\n  - {key: k, process: p, task: t, limit: 2,"
                                                       " unit: hours, counting: statutory}\n")
    assert [p.element for p in problems] == ["policies[0](k).counting"]


RESUMING = """\
policies:
  - key: staged
    process: p
    task: handle
    stages:
      - {name: first, limit: 4, unit: working_hours}
      - {name: second, limit: 7, unit: working_days}
  - {key: single, process: p, task: check, limit: 1, unit: hours}
  - {key: rework, process: p, task: rework, resumes: staged}
  - {key: bad.single, process: p, task: rework2, resumes: single}
  - {key: bad.unknown, process: p, task: rework3, resumes: nowhere}
  - {key: bad.both, process: p, task: rework4, resumes: staged, limit: 2, unit: hours}
"""


def test_a_policy_that_resumes_a_staged_one_takes_its_stages_and_must_name_a_staged_policy() -> None:
    policies, problems = policies_from_files({"rules/sla/p.yaml": RESUMING})
    rework = next(p for p in policies if p.key == "rework")
    assert (rework.resumes, [s.name for s in rework.stages]) == ("staged", ["first", "second"])
    assert sorted(p.element for p in problems) == ["bad.single", "bad.unknown", "policies[5](bad.both)"]
    assert {p.key for p in policies} == {"staged", "single", "rework"}
