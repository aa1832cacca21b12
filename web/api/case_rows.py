"""A case as the API returns it: its columns plus the status a person reads (engine.cases.display_status)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.display_status import display_statuses
from engine.store.models.cases import Case
from web.api.schemas import CaseSchema

DERIVED = ("display_status",)


def cases_out(session: Session, cases: Iterable[Case]) -> list[dict[str, Any]]:
    """Each case's columns and its display status, read for all of them in one query."""
    rows = list(cases)
    displays = display_statuses(session, rows)
    return [{**{column: getattr(case, column) for column in CaseSchema._declared_fields if column not in DERIVED},
             "display_status": displays[case.id].status.value} for case in rows]


def case_out(session: Session, case: Case) -> dict[str, Any]:
    return cases_out(session, [case])[0]
