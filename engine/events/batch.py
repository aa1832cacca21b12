"""Many external events in one transaction, each applied at most once (POST /api/v1/events/batch, the
broker consumers of engine.app.event_consumers).

Every event has an idempotency key: the ``id`` its sender gave it, or else a digest of its content
(type, source, occurred_at and payload as sent: a broker's redelivery carries the same bytes). Keys are
kept per poster (``<username>:<id>``), so one account can never pre-empt another's events. An applied
event is stored in ``ingested_events`` with its key under a unique index, in the transaction that
applied it; an event whose key is already there — or earlier in the same batch — is reported as a
duplicate and changes nothing. Two transactions applying one key at the same moment cannot both
commit: the unique index refuses the second, which the caller retries and then finds the key.

The whole batch goes through the rule sets as one batch of the adapter (engine.rules.adapter.batch):
its groups are locked and read once and written once.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.errors import CasegridError, InvalidInput
from engine.events.authority import check_may_post, check_named_cases
from engine.events.loading import deployed_rulesets
from engine.events.service import clean_event, process_events
from engine.org.access import Actor
from engine.org.service import rules_actor_for
from engine.rules.adapter import shared_rules
from engine.store.models.rules import IngestedEvent

TABLE = IngestedEvent.__table__
KEY_LENGTH = 100  # of the sender's id; the stored key is "<username>:<id>"
_EXISTING = select(TABLE.c.idempotency_key).where(TABLE.c.idempotency_key.in_(bindparam("keys", expanding=True)))
_INSERT = insert(TABLE)
_CHUNK = 500


@dataclass
class BatchOutcome:
    """What a batch did: per event in order, "applied", "duplicate" or "refused" with the results."""

    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return sum(1 for o in self.outcomes if o["status"] == "applied")

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if o["status"] == "duplicate")

    @property
    def refused(self) -> list[dict[str, Any]]:
        return [o for o in self.outcomes if o["status"] == "refused"]


def event_key(username: str, body: dict[str, Any]) -> str:
    """The event's idempotency key under its poster: the sender's ``id``, or a digest of the content."""
    given = body.get("id")
    if given is not None and given != "":
        return f"{username}:{given}"
    content = json.dumps([body.get("type"), body.get("source"), body.get("occurred_at"), body.get("payload")],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"{username}:sha256:{hashlib.sha256(content.encode()).hexdigest()}"


def _check_id(body: dict[str, Any]) -> None:
    given = body.get("id")
    if given is not None and (not isinstance(given, str) or not 0 < len(given) <= KEY_LENGTH):
        raise InvalidInput("invalid event", {"id": [f"an id (idempotency key) is text of 1-{KEY_LENGTH} characters"]})


def ingest_batch(session: Session, actor: Actor, bodies: Any, *, max_events: int,
                 skip_refused: bool = False) -> BatchOutcome:
    """Apply a batch of events in the caller's transaction; already applied keys are skipped.

    Refused before anything runs (``skip_refused`` false, the API): 422 for a batch that is not a list,
    is empty or holds more than ``max_events``, or holds a malformed event (every problem named by its
    index); 403 when the actor may not post one of its types; 404 when one names a case the actor
    cannot see. A broker consumer passes ``skip_refused``: a refused event is reported (and its message
    acknowledged by the consumer) instead of holding back the events around it."""
    if not isinstance(bodies, list) or not bodies:
        raise InvalidInput("invalid batch", {"events": ["a non-empty list of events is required"]})
    if len(bodies) > max_events:
        raise InvalidInput(f"a batch holds at most {max_events} events",
                           {"events": [f"at most {max_events} events per batch; this one has {len(bodies)}"]})
    rulesets = deployed_rulesets(session)
    outcome = BatchOutcome([{} for _ in bodies])
    cleaned: dict[int, tuple[str, dict[str, Any], datetime]] = {}
    problems: dict[str, Any] = {}
    for index, body in enumerate(bodies):
        try:
            if not isinstance(body, dict):
                raise InvalidInput("invalid event", {"event": ["must be an object"]})
            _check_id(body)
            cleaned[index] = clean_event(body)
            check_may_post(actor, rulesets, cleaned[index][0])
            check_named_cases(session, actor, cleaned[index][1])
        except CasegridError as exc:
            cleaned.pop(index, None)
            if not skip_refused and not isinstance(exc, InvalidInput):
                raise
            details = exc.details if isinstance(exc.details, dict) else {}
            problems.update({f"events.{index}.{name}": messages for name, messages in details.items()}
                            or {f"events.{index}": [exc.message]})
            outcome.outcomes[index] = {"status": "refused", "reason": f"{exc.code}: {exc.message}",
                                       "details": exc.details}
    if problems and not skip_refused:
        raise InvalidInput("invalid batch: nothing was applied", problems)

    keys = {index: event_key(actor.username, bodies[index]) for index in cleaned}
    seen = _existing(session, list(keys.values()))
    todo: list[int] = []
    for index, key in keys.items():
        if key in seen:
            outcome.outcomes[index] = {"status": "duplicate", "key": key}
        else:
            seen.add(key)
            todo.append(index)

    results = process_events(session, [cleaned[i] for i in todo], rules_actor_for(actor.username), rulesets,
                             shared_rules()) if todo else []
    now = datetime.now(UTC)
    rows = []
    for index, actions in zip(todo, results, strict=True):
        event_type, payload, occurred_at = cleaned[index]
        outcome.outcomes[index] = {"status": "applied", "key": keys[index], "actions": actions}
        rows.append({"idempotency_key": keys[index], "type": event_type, "source": _source(bodies[index]),
                     "occurred_at": occurred_at, "received_at": now, "posted_by": actor.username[:80],
                     "actions": len(actions), "payload": payload})
    if rows:
        session.execute(_INSERT, rows)
    fired = [a for o in outcome.outcomes if o["status"] == "applied" for a in o["actions"]]
    record(session, actor=actor.username, action="events_posted",
           details={"applied": len(rows), "duplicates": outcome.duplicates, "refused": len(outcome.refused),
                    "types": dict(Counter(cleaned[i][0] for i in todo)),
                    "results": [{k: r.get(k) for k in ("ruleset", "rule", "operation", "case_key")}
                                for r in fired[:50]],
                    "refusals": [o["reason"] for o in outcome.refused[:20]]})
    return outcome


def _source(body: dict[str, Any]) -> str | None:
    source = body.get("source")
    return source[:200] if isinstance(source, str) else None


def _existing(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(session.scalars(_EXISTING, {"keys": keys[start:start + _CHUNK]}))
    return found
