"""Links between cases (a social event and the emergency it raised; a hot spot and its reports)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.store.models.cases import Case, CaseLink


def link_cases(session: Session, from_case: Case, to_case: Case, kind: str, actor: str) -> CaseLink:
    link = CaseLink(from_case_id=from_case.id, to_case_id=to_case.id, kind=kind[:40])
    session.add(link)
    for case, other in ((from_case, to_case), (to_case, from_case)):
        record(session, actor=actor, action="case_linked", case_id=case.id,
               details={"kind": kind, "other_case": other.business_key, "other_case_id": other.id})
    return link
