"""The audit trail of one case as pages with a total, for the API and the case page."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.cases.access import may_see_case
from engine.cases.service import get_case
from engine.errors import Forbidden
from engine.org.access import Actor
from engine.store.models.audit import AuditEvent


def case_history_page(session: Session, case_id: int, actor: Actor, limit: int = 50,
                      offset: int = 0) -> tuple[list[AuditEvent], int]:
    case = get_case(session, case_id)
    if not may_see_case(session, actor, case):
        raise Forbidden(f"{actor.username} may not see case {case.business_key}")
    where = AuditEvent.case_id == case_id
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
    rows = session.scalars(select(AuditEvent).where(where).order_by(AuditEvent.id)
                           .limit(max(1, min(limit, 200))).offset(offset))
    return list(rows), total
