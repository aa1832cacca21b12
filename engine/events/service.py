"""Events into the event rule sets: validate, match through the adapter, run the actions' operations.

One call = one event, inside the caller's transaction: the rule sets' window state
(table event_rule_state), the cases an action starts, the links, flags and notifications commit with
it (or not at all). The transaction holds the event's group locks until it ends (engine.rules.state).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.errors import InvalidInput
from engine.events.actions import ActionContext, run_action
from engine.events.loading import deployed_rulesets
from engine.org.access import Actor
from engine.org.service import RULES_ACTOR, rules_actor_for
from engine.rules.adapter import DurableRules, shared_rules
from engine.rules.ruleset import RuleSet


def _occurred_at(value: Any) -> datetime:
    if value is None or value == "":
        return datetime.now(UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidInput("occurred_at is not an ISO date-time", {"occurred_at": [str(exc)]}) from exc
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("occurred_at needs a time zone", {"occurred_at": ["naive date-time"]})
    return value


def clean_event(body: dict[str, Any]) -> tuple[str, dict[str, Any], datetime]:
    problems: dict[str, list[str]] = {}
    event_type = body.get("type")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        problems["type"] = ["a type of 1-100 characters is required"]
    payload = body.get("payload") if body.get("payload") is not None else {}
    if not isinstance(payload, dict):
        problems["payload"] = ["must be an object"]
    if problems:
        raise InvalidInput("invalid event", problems)
    return str(event_type), dict(payload), _occurred_at(body.get("occurred_at"))


def process_events(session: Session, events: list[tuple[str, dict[str, Any], datetime]], actor: str,
                   rulesets: tuple[RuleSet, ...], rules: DurableRules) -> list[list[dict[str, Any]]]:
    """Cleaned events through the rule sets, in order, as one batch of the adapter (their groups locked
    and read once, written once); the results of each event's actions."""
    out: list[list[dict[str, Any]]] = []
    with rules.batch(session):
        rules.prepare(session, rulesets, events)
        for event_type, payload, occurred_at in events:
            results: list[dict[str, Any]] = []
            for ruleset in rulesets:
                matches = rules.evaluate(session, ruleset, event_type, payload, occurred_at)
                if not matches:
                    continue
                with rules.outside_batch(session):
                    for match in matches:
                        context = ActionContext(session, match, actor)
                        for action in match.rule.actions:
                            results.append(run_action(context, action))
            out.append(results)
    return out


def process_event(session: Session, body: dict[str, Any], actor: str, rulesets: tuple[RuleSet, ...],
                  rules: DurableRules) -> list[dict[str, Any]]:
    return process_events(session, [clean_event(body)], actor, rulesets, rules)[0]


def ingest(session: Session, body: dict[str, Any], actor: Actor) -> list[dict[str, Any]]:
    """An external event (POST /api/v1/events), already authorised: the results of every action it set off.

    Everything the rules do with it is recorded as done by "rules (for <poster>)", and the event itself
    by its poster."""
    results = process_event(session, body, rules_actor_for(actor.username), deployed_rulesets(session),
                            shared_rules())
    record(session, actor=actor.username, action="event_posted",
           details={"type": body.get("type"), "source": body.get("source"), "actions": len(results),
                    "results": [{k: r.get(k) for k in ("ruleset", "rule", "operation", "case_key")}
                                for r in results]})
    return results


def ingest_internal(session: Session, event: dict[str, Any]) -> list[dict[str, Any]]:
    """A case event from the engine itself (case started, case closed)."""
    rulesets = deployed_rulesets(session)
    if not rulesets:
        return []
    return process_event(session, event, RULES_ACTOR, rulesets, shared_rules())
