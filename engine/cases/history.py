"""The audit trail of one case as pages with a total, for the API and the case page."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.org.access import Actor, visible_case
from engine.store.models.audit import AuditEvent


def case_history_page(session: Session, case_id: int, actor: Actor, limit: int = 50,
                      offset: int = 0) -> tuple[list[AuditEvent], int]:
    visible_case(session, actor, case_id)  # NotFound, as for a missing id, when they may not see it
    where = AuditEvent.case_id == case_id
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
    rows = session.scalars(select(AuditEvent).where(where).order_by(AuditEvent.id)
                           .limit(max(1, min(limit, 200))).offset(offset))
    return list(rows), total
