"""The case's pause ledger: when the process's ``sla_paused`` flag stopped and restarted its limits.

The clocks running at a change of the flag pause and resume themselves (engine.sla.clocks); the ledger
is for clocks that start later but count from an earlier instant. Licensing's decision counts 20
working days from acceptance, yet its work item opens only after the departments' review and the site
inspection, whose time is not counted (行政许可法 Art. 45): the decision clock takes over the pauses
that fell after its start, so the pause moves its deadline although no clock ran while it lasted.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models.sla import SlaCasePause

# The ledger's reason when the process set sla_paused without sla_pause_reason (no words for a page).
DEFAULT_PAUSE_REASON = "process data flag sla_paused"


def _open_pause(session: Session, case_id: int) -> SlaCasePause | None:
    return session.scalar(select(SlaCasePause).where(SlaCasePause.case_id == case_id,
                                                     SlaCasePause.resumed_at.is_(None))
                          .order_by(SlaCasePause.id.desc()).limit(1))


def track(session: Session, case_id: int, flag: object, reason: str, now: datetime) -> None:
    """Open a pause when the flag turns true, close it when it turns false; anything else changes nothing
    (only a change acts, like the clocks' own pause_flag_seen)."""
    if not isinstance(flag, bool):
        return
    current = _open_pause(session, case_id)
    if flag and current is None:
        session.add(SlaCasePause(case_id=case_id, paused_at=now, reason=reason[:300]))
        session.flush()
    elif not flag and current is not None:
        current.resumed_at = now


def pauses_since(session: Session, case_id: int, started_at: datetime) -> tuple[list[list[str]], datetime | None]:
    """The closed pauses that ended after ``started_at`` (as a clock stores them, clipped to start no
    earlier than it) and the start of the pause still open, if any."""
    closed: list[list[str]] = []
    open_since: datetime | None = None
    for pause in session.scalars(select(SlaCasePause).where(SlaCasePause.case_id == case_id)
                                 .order_by(SlaCasePause.paused_at, SlaCasePause.id)):
        if pause.resumed_at is None:
            open_since = max(pause.paused_at, started_at)
        elif pause.resumed_at > started_at:
            closed.append([max(pause.paused_at, started_at).isoformat(), pause.resumed_at.isoformat()])
    return closed, open_since
