"""Event-rule state in the database (table ``event_rule_state``): load, store, lock, purge, evict.

How concurrent ingests of one group are serialised — so that two processes can neither both fire a
hot spot for the same three reports nor both miss it:

* **PostgreSQL**: ``lock_group`` takes a transaction-scoped advisory lock on (rule set, group key)
  before the group's rows are read. A row lock (``SELECT … FOR UPDATE``) cannot do this: the first
  report of a group has no row to lock yet, and two first reports would each insert one. The lock is
  held until commit, so the next ingest of the group reads the rows the previous one committed
  (READ COMMITTED takes a new snapshot per statement, after the lock was granted). Different groups
  never wait for each other (a hash collision of two keys only serialises them, harmlessly).
* **SQLite**: every write transaction begins ``IMMEDIATE`` (engine.store.database): the database has
  one writer at a time, which already serialises whole ingests.

Purge and eviction delete *other* groups' rows (and the worker's sweep, ``purge_expired``, any
rule set's expired ones); on PostgreSQL they take those groups' locks with
``pg_try_advisory_xact_lock`` and skip the groups someone is ingesting, so they never wait and never
delete rows under a running ingest.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from engine.rules.guards import RuleState
from engine.store.models.rules import EventRuleState

TABLE = EventRuleState.__table__
# First half of the two-int advisory lock key: keeps these locks apart from any other advisory lock.
LOCK_NAMESPACE = 0x63676576  # "cgev"
PURGE_BATCH = 100  # groups deleted at most per ingest: the cost of one ingest stays bounded
LOAD_CHUNK = 500  # group keys per SELECT … IN (…) when a batch loads its groups

# Statements built once (engine.rules.adapter's profile: building them per event was 35-40% of its time).
_LOAD_MANY = (select(TABLE.c.id, TABLE.c.group_key, TABLE.c.rule, TABLE.c.state, TABLE.c.last_seen, TABLE.c.expires_at)
              .where(TABLE.c.ruleset == bindparam("ruleset"), TABLE.c.group_key.in_(bindparam("groups", expanding=True))))
_UPDATE_BY_ID = (update(TABLE).where(TABLE.c.id == bindparam("row_id"))
                 .values(state=bindparam("new_state"), last_seen=bindparam("new_seen"),
                         expires_at=bindparam("new_expires")))
_INSERT = insert(TABLE)
_DELETE_BY_ID = delete(TABLE).where(TABLE.c.id.in_(bindparam("ids", expanding=True)))
_LOCK_MANY = text("SELECT count(pg_advisory_xact_lock(:ns, k)) FROM "
                  "(SELECT unnest(CAST(:keys AS integer[])) AS k ORDER BY 1) AS ordered")


@dataclass
class GroupState:
    """One group's live rule states as loaded, and which rule rows physically exist (expired or not)."""

    states: dict[str, RuleState]
    stored: set[str]
    last_seen: float | None
    row_ids: dict[str, int] = field(default_factory=dict)  # rule -> id of its stored row (batch loads)
    was_live: bool = False  # live when loaded: storing it adds no group (eviction counts new ones only)
    touched: bool = False  # an event of the batch reached it: only those are written back

    @property
    def live(self) -> bool:
        return bool(self.states)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _lock_key(ruleset: str, group: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{ruleset}\x1f{group}".encode()).digest()[:4], "big", signed=True)


def lock_group(session: Session, ruleset: str, group: str) -> None:
    """Serialise ingests of one group until this transaction ends (see the module docstring)."""
    if _postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                        {"ns": LOCK_NAMESPACE, "key": _lock_key(ruleset, group)})


def lock_groups(session: Session, pairs: list[tuple[str, str]]) -> None:
    """lock_group for many (rule set, group) pairs in one statement, in one global order (the order of
    their lock keys), so that two batches sharing groups wait for each other instead of deadlocking."""
    if pairs and _postgres(session):
        keys = sorted({_lock_key(ruleset, group) for ruleset, group in pairs})
        session.execute(_LOCK_MANY, {"ns": LOCK_NAMESPACE, "keys": keys})


def load_many(session: Session, ruleset: str, groups: list[str], now: float) -> dict[str, GroupState]:
    """load() for many groups of one rule set, in one SELECT per LOAD_CHUNK keys; every group asked
    for is in the answer (empty when it has no live rows)."""
    found = {group: GroupState({}, set(), None) for group in groups}
    for start in range(0, len(groups), LOAD_CHUNK):
        rows = session.execute(_LOAD_MANY, {"ruleset": ruleset, "groups": groups[start:start + LOAD_CHUNK]}).all()
        for row_id, group, rule, state, seen, expires_at in rows:
            loaded = found[group]
            loaded.stored.add(rule)
            loaded.row_ids[rule] = row_id
            if _timestamp(expires_at) < now:
                continue
            loaded.states[rule] = RuleState.from_json(state)
            loaded.last_seen = max(loaded.last_seen or float("-inf"), _timestamp(seen))
    for loaded in found.values():
        loaded.was_live = loaded.live
    return found


def store_many(session: Session, ruleset: str, groups: dict[str, GroupState], ttl_seconds: float) -> None:
    """store() for the groups of one rule set a batch touched: one DELETE, one executemany UPDATE and
    one executemany INSERT for all of them. Each group's ``last_seen`` is its newest event's time."""
    gone: list[int] = []
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for group, loaded in groups.items():
        if not loaded.touched or loaded.last_seen is None:
            continue
        seen, expires = _at(loaded.last_seen), _at(loaded.last_seen + ttl_seconds)
        for rule in loaded.stored:
            state = loaded.states.get(rule)
            if state is None or state.empty():
                gone.append(loaded.row_ids[rule])
        for rule, state in loaded.states.items():
            if state.empty():
                continue
            if rule in loaded.stored:
                updates.append({"row_id": loaded.row_ids[rule], "new_state": state.to_json(), "new_seen": seen,
                                "new_expires": expires})
            else:
                inserts.append({"ruleset": ruleset, "rule": rule, "group_key": group, "state": state.to_json(),
                                "last_seen": seen, "expires_at": expires})
    if gone:
        session.execute(_DELETE_BY_ID, {"ids": gone})
    if updates:
        session.execute(_UPDATE_BY_ID, updates)
    if inserts:
        session.execute(_INSERT, inserts)


def _timestamp(value: datetime) -> float:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).timestamp()


def _claim(session: Session, ruleset: str, groups: list[str], wanted: int) -> list[str]:
    """Up to ``wanted`` of the groups whose lock is free (then held by this transaction until it
    ends); on SQLite the first ``wanted``. Never waits: a locked group is being ingested right now."""
    if not _postgres(session):
        return groups[:wanted]
    claimed: list[str] = []
    for group in groups:
        if len(claimed) == wanted:
            break
        if session.scalar(text("SELECT pg_try_advisory_xact_lock(:ns, :key)"),
                          {"ns": LOCK_NAMESPACE, "key": _lock_key(ruleset, group)}):
            claimed.append(group)
    return claimed


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def load(session: Session, ruleset: str, group: str, now: float) -> GroupState:
    """The group's rule states; rows idle past the rule set's TTL (by event time) count as gone."""
    rows = session.execute(select(TABLE.c.rule, TABLE.c.state, TABLE.c.last_seen, TABLE.c.expires_at)
                           .where(TABLE.c.ruleset == ruleset, TABLE.c.group_key == group)).all()
    states: dict[str, RuleState] = {}
    last_seen: float | None = None
    for rule, state, seen, expires_at in rows:
        if expires_at.timestamp() < now:
            continue
        states[rule] = RuleState.from_json(state)
        last_seen = max(last_seen or float("-inf"), seen.timestamp())
    return GroupState(states, {row.rule for row in rows}, last_seen)


def store(session: Session, ruleset: str, group: str, loaded: GroupState, ttl_seconds: float, now: float) -> None:
    """Write the group's states back: non-empty ones updated or inserted, emptied ones deleted."""
    last_seen = max(loaded.last_seen or now, now)
    seen, expires = _at(last_seen), _at(last_seen + ttl_seconds)
    empty = [rule for rule, state in loaded.states.items() if state.empty()]
    gone = [rule for rule in loaded.stored if rule not in loaded.states or rule in empty]
    if gone:
        session.execute(delete(TABLE).where(TABLE.c.ruleset == ruleset, TABLE.c.group_key == group,
                                            TABLE.c.rule.in_(gone)))
    for rule, state in loaded.states.items():
        if state.empty():
            continue
        values: dict[str, Any] = {"state": state.to_json(), "last_seen": seen, "expires_at": expires}
        if rule in loaded.stored:
            session.execute(update(TABLE).where(TABLE.c.ruleset == ruleset, TABLE.c.group_key == group,
                                                TABLE.c.rule == rule).values(**values))
        else:
            session.execute(insert(TABLE).values(ruleset=ruleset, rule=rule, group_key=group, **values))


def purge(session: Session, ruleset: str, now: float, keep: str | set[str]) -> int:
    """Delete up to PURGE_BATCH groups of the rule set idle past their TTL by ``now`` (event time)."""
    cutoff = _at(now)
    candidates = session.scalars(select(TABLE.c.group_key)
                                 .where(TABLE.c.ruleset == ruleset, TABLE.c.expires_at < cutoff)
                                 .order_by(TABLE.c.expires_at).limit(PURGE_BATCH)).all()
    kept = {keep} if isinstance(keep, str) else keep
    groups = _claim(session, ruleset, [g for g in dict.fromkeys(candidates) if g not in kept], PURGE_BATCH)
    if not groups:
        return 0
    session.execute(delete(TABLE).where(TABLE.c.ruleset == ruleset, TABLE.c.group_key.in_(groups),
                                        TABLE.c.expires_at < cutoff))
    return len(groups)


def _claim_any(session: Session, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (rule set, group) pairs whose lock is free, as _claim but across rule sets."""
    if not _postgres(session):
        return pairs
    return [(ruleset, group) for ruleset, group in pairs
            if session.scalar(text("SELECT pg_try_advisory_xact_lock(:ns, :key)"),
                              {"ns": LOCK_NAMESPACE, "key": _lock_key(ruleset, group)})]


def purge_expired(session: Session, now: float, limit: int = PURGE_BATCH) -> int:
    """Delete up to ``limit`` groups, of every rule set, expired by ``now``; the worker's sweep.

    purge() only runs when its rule set ingests, so a rule set that stops receiving events would keep
    its rows for ever. Here ``now`` is the worker's wall clock rather than an event's time: for live
    feeds the two agree, and a group already past its TTL by the clock could only be revived by an
    event arriving later than its whole window, which ingest's own purge would not wait for either.
    Locked groups are skipped, as in purge(): they are being ingested and may be renewed right now."""
    cutoff = _at(now)
    # Across rule sets the (ruleset, expires_at) index does not order this; the table is small by
    # construction (groups capped per rule set, emptied groups deleted), and this runs once a minute.
    candidates = session.execute(select(TABLE.c.ruleset, TABLE.c.group_key).where(TABLE.c.expires_at < cutoff)
                                 .order_by(TABLE.c.expires_at).limit(limit)).all()
    pairs = _claim_any(session, list(dict.fromkeys((row.ruleset, row.group_key) for row in candidates)))
    by_ruleset: dict[str, list[str]] = {}
    for ruleset, group in pairs:
        by_ruleset.setdefault(ruleset, []).append(group)
    for ruleset, groups in by_ruleset.items():
        # expires_at is checked again: a group renewed between the select and the lock keeps its rows.
        session.execute(delete(TABLE).where(TABLE.c.ruleset == ruleset, TABLE.c.group_key.in_(groups),
                                            TABLE.c.expires_at < cutoff))
    return len(pairs)


def count_groups(session: Session, ruleset: str) -> int:
    """Groups of the rule set holding state (expired ones not yet purged included)."""
    return session.scalar(select(func.count(func.distinct(TABLE.c.group_key)))
                          .where(TABLE.c.ruleset == ruleset)) or 0


def make_room(session: Session, ruleset: str, limit: int, keep: str | set[str], adding: int = 1) -> int:
    """Before ``adding`` new groups are stored: evict the least recently seen groups (never those in
    ``keep``, the groups being ingested) until the rule set holds at most ``limit`` with them."""
    over = count_groups(session, ruleset) - limit + adding
    if over <= 0:
        return 0
    kept = {keep} if isinstance(keep, str) else keep
    oldest = session.scalars(select(TABLE.c.group_key).where(TABLE.c.ruleset == ruleset)
                             .order_by(TABLE.c.expires_at).limit(over * 4 + 4 + len(kept))).all()
    groups = _claim(session, ruleset, [g for g in dict.fromkeys(oldest) if g not in kept], over)
    if groups:
        session.execute(delete(TABLE).where(TABLE.c.ruleset == ruleset, TABLE.c.group_key.in_(groups)))
    return len(groups)
