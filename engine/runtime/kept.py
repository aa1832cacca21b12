"""Workflows kept in memory between the steps of a case, so that a step need not deserialise one.

A kept workflow is reused only when the state stored in the case row is exactly the text it was saved
as. Any other writer (another process, a restored backup, a rolled-back step) leaves different text
in the row, and the workflow is read from the row as before: the row stays the only truth.

A step takes its workflow out of the store; only a committed step puts one back. A step that fails
half-way therefore never leaves a half-run workflow behind for the next step to find.
"""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import event
from sqlalchemy.orm import Session

# Each kept workflow holds its task tree and data (tens of kB for a large case). The cases worked on
# right now are what matters; a case whose workflow was dropped just pays one deserialisation.
KEEP_AT_MOST = 256

_PENDING = "casegrid_kept_workflows"
# Keyed by database URL too: tests and tools open several databases in one process whose ids overlap.
_Key = tuple[str, int]

_kept: OrderedDict[_Key, tuple[str, BpmnWorkflow]] = OrderedDict()
_lock = Lock()


def _key(session: Session, case_id: int) -> _Key:
    return (str(session.get_bind().url), case_id)


def take(session: Session, case_id: int, stored_state: str) -> BpmnWorkflow | None:
    """The kept workflow of the case if it is the one `stored_state` was saved from; it leaves the store."""
    with _lock:
        found = _kept.pop(_key(session, case_id), None)
    if found is None or found[0] != stored_state:
        return None
    return found[1]


def keep_after_commit(session: Session, case_id: int, saved_state: str, workflow: BpmnWorkflow) -> None:
    """Keep `workflow` (saved as `saved_state`) once the session's transaction commits.

    Saving the same case twice in one transaction keeps the last save, which is what the row holds.
    """
    session.info.setdefault(_PENDING, {})[_key(session, case_id)] = (saved_state, workflow)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    # Also fired when a savepoint is released (the timer worker fires each timer in one). A workflow
    # kept then whose outer transaction rolls back never matches the row, so it is never used.
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    with _lock:
        for key, entry in pending.items():
            _kept[key] = entry
            _kept.move_to_end(key)
        while len(_kept) > KEEP_AT_MOST:
            _kept.popitem(last=False)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def clear() -> None:
    with _lock:
        _kept.clear()
