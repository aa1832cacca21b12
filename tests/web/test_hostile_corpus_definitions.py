"""Definition files in the shapes other modelers export, and hostile XML (definitions/): each is at least
one clear problem line naming the file, never a crash, and nothing is deployed.

Only "a problem line, no crash" is asserted for modeler oddities whose wording may change (how a
non-executable process is reported, for one); hostile XML is asserted exactly."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from webtools import bearer

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.store.models.definitions import Deployment

CORPUS_ROOT = Path(__file__).parents[1] / "hostile_corpus" / "definitions"
CORPUS = {p.relative_to(CORPUS_ROOT).as_posix(): p.read_text(encoding="utf-8")
          for p in sorted(CORPUS_ROOT.rglob("*")) if p.is_file()}
EXACT = {
    "processes/collaboration_only.bpmn": "no process in this file",
    "processes/external_entity.bpmn": "not well-formed XML",
    "processes/not_xml.bpmn": "not well-formed XML",
    "processes/empty.bpmn": "not well-formed XML",
    "rules/entity_expansion.dmn": "not well-formed XML",
}


@pytest.fixture(scope="module")
def problems_by_file() -> dict[str, list[str]]:
    problems, _ = validate_bundle(load_root(PROJECT_ROOT).overlay(Bundle(CORPUS)))
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.file, []).append(str(problem))
    return found


@pytest.mark.parametrize("path", sorted(CORPUS))
def test_every_odd_or_hostile_definition_is_one_clear_problem_line_or_more(problems_by_file, path):
    lines = problems_by_file.get(path, [])
    assert lines, f"{path} passed validation"
    for line in lines:
        assert "\n" not in line and line.startswith(f"{path}: "), line
        assert "Traceback" not in line and "root:x:0:0" not in line, line
    if path in EXACT:
        assert any(EXACT[path] in line for line in lines), lines


def test_only_the_corpus_files_have_problems_the_shipped_definitions_stay_valid(problems_by_file):
    assert set(problems_by_file) == set(CORPUS)


def test_deploying_the_corpus_through_the_api_is_a_422_with_its_problems_and_deploys_nothing(app, web_db):
    with web_db.transaction(readonly=True) as session:
        deployments = session.scalar(select(func.count()).select_from(Deployment))
    response = app.test_client().post("/api/v1/definitions", json={"files": CORPUS}, headers=bearer(web_db, "ana"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "definition_invalid"
    assert {p["file"] for p in error["details"]} == set(CORPUS)
    with web_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Deployment)) == deployments


def test_the_cli_validates_the_corpus_with_one_line_per_problem_and_a_failure_exit(cli):
    result = cli("validate", str(CORPUS_ROOT))
    assert result.returncode not in (0, 70), result.stderr  # 70: an internal error
    output = result.stdout + result.stderr
    for path in CORPUS:
        assert path.rsplit("/", 1)[-1] in output, path
    assert "Traceback" not in output
