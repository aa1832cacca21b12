"""Scripts in diagrams are untrusted: refused at deploy, and refused at run time with the case unchanged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases.service import start_case
from engine.commands.tasks import complete
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.errors import DefinitionInvalid, SandboxViolation
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.definitions import Deployment, ProcessVersion
from engine.store.models.tasks import WorkItem

from .helpers import DISPATCHER, count, deploy_two_step, two_step_bundle

PROCESS = "processes/two_step.bpmn"
ATTACKS = {
    "import": "marked = __import__('os').getcwd()",
    "mro_walk": "marked = ().__class__.__mro__[1].__subclasses__()",
    "open": "marked = open('/etc/passwd').read()",
    "eval": "marked = eval('1 + 1')",
}


def _with_script(script: str) -> Bundle:
    xml = two_step_bundle().files[PROCESS].replace("marked = amount * 2", script)
    return Bundle({PROCESS: xml})


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_diagram_with_a_forbidden_script_is_refused_at_deploy_naming_the_task(db, attack):
    deploy_two_step(db)
    with pytest.raises(DefinitionInvalid) as refused, db.transaction() as session:
        deploy(session, _with_script(ATTACKS[attack]), actor="analyst")
    assert [p.element for p in refused.value.problems] == ["mark"]


def _smuggle_version(db, script: str) -> None:
    """A version stored without validation, as if written by an older release or straight into the database."""
    with db.transaction() as session:
        current = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == "two_step")).one()
        files = dict(session.get(Deployment, current.deployment_id).files)
        files[PROCESS] = _with_script(script).files[PROCESS]
        deployment = Deployment(content_hash=f"smuggled-{len(script)}-{hash(script)}", files=files, deployed_by="x")
        session.add(deployment)
        session.flush()
        session.add(ProcessVersion(process_key="two_step", version=current.version + 1, name=current.name,
                                   family=None, content_hash="smuggled", bpmn_file=PROCESS,
                                   bpmn_xml=files[PROCESS], deployment_id=deployment.id))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_forbidden_script_that_reaches_run_time_is_refused_naming_the_task_and_the_case_is_unchanged(db, attack):
    deploy_two_step(db)
    _smuggle_version(db, ATTACKS[attack])
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    with db.transaction(readonly=True) as session:
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id)).one()
        state_before = session.scalars(select(Case.workflow_state).where(Case.id == case.id)).one()
    events_before = count(db, AuditEvent)
    with pytest.raises(SandboxViolation) as refused, db.transaction() as session:
        complete(session, DISPATCHER, item.id, {"amount": 3})
    assert "'Mark'" in refused.value.message and "sandbox" in refused.value.message
    with db.transaction(readonly=True) as session:
        stored = session.get(Case, case.id)
        assert stored.version == case.version and stored.data.get("marked") is None
        assert session.scalars(select(Case.workflow_state).where(Case.id == case.id)).one() == state_before
        assert session.get(WorkItem, item.id).status == "open"
    assert count(db, AuditEvent) == events_before
