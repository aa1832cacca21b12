"""Event-rule state: the windows, streaks, remembered matches and cooldowns of the event rule sets.

One row per (rule set, rule, group key) — the group key is the rule set's ``session_key`` values, e.g.
subcategory + grid cell — and only while the rule holds something: an emptied window deletes its row.
The state lives here, not in a process, so every web worker, the CLI and the timer workers see the
same windows and a restart forgets nothing (docs/families.md, "The adapter's guarantees").
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base


class EventRuleState(Base):
    __tablename__ = "event_rule_state"
    __table_args__ = (
        # One group's rows are read and rewritten on every event of the group.
        Index("ux_event_rule_state_key", "ruleset", "group_key", "rule", unique=True),
        # Purge and eviction read the oldest rows of one rule set: the cost of an ingest stays flat
        # however long the table's history.
        Index("ix_event_rule_state_expiry", "ruleset", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ruleset: Mapped[str] = mapped_column(String(60))
    rule: Mapped[str] = mapped_column(String(60))
    group_key: Mapped[str] = mapped_column(String(500))
    # Event time, not wall time: the group's newest event, and that plus the rule set's session TTL.
    last_seen: Mapped[datetime]
    expires_at: Mapped[datetime]
    # {"window": [[t, event], ...], "streak": [event, ...], "remembered": [t, event] | null,
    #  "quiet_until": t | null}; t is a POSIX timestamp of event time (engine.rules.guards).
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IngestedEvent(Base):
    """An external event that was applied, under the idempotency key that keeps it from being applied twice.

    Written in the transaction that applies the event (engine.events.batch): a broker's redelivery or a
    client's retry of the same key finds the row and changes nothing."""

    __tablename__ = "ingested_events"
    __table_args__ = (
        Index("ux_ingested_events_key", "idempotency_key", unique=True),
        Index("ix_ingested_events_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    posted_by: Mapped[str] = mapped_column(String(80))
    actions: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
