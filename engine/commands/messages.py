"""Message command: deliver a BPMN message to the running case(s) waiting for it."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.cases.service import get_case_by_key
from engine.cases.view import waiting_lanes
from engine.commands import authorise
from engine.errors import Forbidden
from engine.messages.service import send_message
from engine.org.access import Actor, may_report
from engine.store.models.cases import Case


def deliver_message(session: Session, actor: Actor, message_name: str, *, case_id: int | None = None,
                    business_key: str | None = None, correlation: dict[str, Any] | None = None,
                    payload: dict[str, Any] | None = None, lang: str = "zh") -> list[Case]:
    """Deliver to the named case (which the actor must be able to see: 404 otherwise, before anything
    moves; and whose waiting catch event's lane they must hold: 403, engine.org.access.may_report) or, by
    correlation, to every running case waiting for it; 409 when nobody waits, 422 when the catch event's
    form refuses the payload."""
    if business_key is not None and case_id is None:
        case_id = get_case_by_key(session, business_key).id
    if case_id is not None:
        case = authorise.visible_case(session, actor, case_id)
        lanes = waiting_lanes(session, case, message_name)
        if lanes and not any(may_report(actor, lane) for lane in lanes):
            lane = sorted(lane for lane in lanes if lane)[0]
            raise Forbidden(f"{actor.username} may not report '{message_name}' to case {case.business_key}: "
                            f"it is reported by {lane}", key="message.may_not_report",
                            params={"reporter_role": lane})
    return send_message(session, message_name=message_name, correlation=correlation, case_id=case_id,
                        business_key=business_key, payload=payload, actor=actor, lang=lang)
