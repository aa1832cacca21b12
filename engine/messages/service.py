"""send_message: deliver a BPMN message to the running case(s) waiting for it, across processes and versions."""
from __future__ import annotations

from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.service import get_case, get_case_by_key
from engine.errors import InvalidInput
from engine.messages.delivery import deliver_to_case
from engine.messages.errors import NoWaitingCase
from engine.org.access import Actor
from engine.runtime.correlation import correlation_key
from engine.store.models.cases import Case
from engine.store.models.messages import MessageSubscription
from engine.store.statuses import CaseStatus

MAX_NAME_LENGTH = 200


def waiting_subscriptions(
    session: Session, message_name: str, correlation: dict[str, Any] | None = None, case_id: int | None = None,
    exclude_case: int | None = None,
) -> list[MessageSubscription]:
    """Subscriptions of running cases for the name (and correlation), read from the projection only."""
    query = (select(MessageSubscription).join(Case, Case.id == MessageSubscription.case_id)
             .where(MessageSubscription.message_name == message_name, Case.status == CaseStatus.RUNNING))
    if correlation is not None:
        query = query.where(MessageSubscription.correlation_key == correlation_key(correlation))
    if case_id is not None:
        query = query.where(MessageSubscription.case_id == case_id)
    if exclude_case is not None:
        query = query.where(MessageSubscription.case_id != exclude_case)
    return list(session.scalars(query.order_by(MessageSubscription.case_id, MessageSubscription.id)))


def payload_agrees(subscription: MessageSubscription, payload: dict[str, Any]) -> bool:
    """A message addressed to a case carries no correlation; a catch event that declared one still
    only takes it when the payload does not name another value for one of its keys (an
    `agency_arrived` with `{"agency": "fire"}` reaches the fire crew's task, not the police's)."""
    return all(payload.get(name, value) == value for name, value in (subscription.correlation or {}).items())


def deliver_all(session: Session, subscriptions: list[MessageSubscription], payload: dict[str, Any], actor: str,
                lang: str = "zh", source: str | None = None) -> list[Case]:
    delivered = []
    for case_id, subs in groupby(subscriptions, key=lambda s: s.case_id):
        delivered.append(deliver_to_case(session, case_id, list(subs), payload, actor, lang, source))
    return delivered


def _check(message_name: str, payload: Any) -> None:
    problems: dict[str, list[str]] = {}
    if not isinstance(message_name, str) or not message_name.strip() or len(message_name) > MAX_NAME_LENGTH:
        problems["message_name"] = [f"a message name of 1-{MAX_NAME_LENGTH} characters is required"]
    if not isinstance(payload, dict):
        problems["payload"] = ["must be an object"]
    if problems:
        raise InvalidInput("invalid message", problems)


def send_message(
    session: Session, *, message_name: str, correlation: dict[str, Any] | None = None,
    case_id: int | None = None, business_key: str | None = None, payload: dict[str, Any] | None = None,
    actor: Actor, lang: str = "zh",
) -> list[Case]:
    """Deliver the message to every running case waiting for it and advance each; one transaction.

    Address it by case (`case_id` or `business_key`), by `correlation` (equal to what the catch event
    declared), or both. Raises NoWaitingCase (409) when nobody waits, InvalidInput (422) for a bad
    message or a payload the catch event's form refuses; in every error case nothing is changed.
    """
    payload = {} if payload is None else payload
    _check(message_name, payload)
    if business_key is not None:
        found = get_case_by_key(session, business_key)
        if case_id is not None and case_id != found.id:
            raise InvalidInput("case_id and business_key name different cases",
                               {"business_key": ["does not match case_id"]})
        case_id = found.id
    elif case_id is not None:
        get_case(session, case_id)
    if case_id is None and not correlation:
        # Without either, one message would reach every case of every process waiting for the name.
        raise InvalidInput("address the message to a case or give a correlation",
                           {"correlation": ["required when no case is named"]})
    subscriptions = waiting_subscriptions(session, message_name, correlation or None, case_id)
    if not correlation:
        subscriptions = [sub for sub in subscriptions if payload_agrees(sub, payload)]
    if not subscriptions:
        where = f" in case {business_key or case_id}" if case_id is not None else ""
        corr = f" with correlation {correlation_key(correlation)}" if correlation else ""
        raise NoWaitingCase(f"no running case waits for message '{message_name}'{corr}{where}",
                            {"message_name": message_name, "correlation": correlation, "case_id": case_id})
    return deliver_all(session, subscriptions, payload, actor.username, lang)
