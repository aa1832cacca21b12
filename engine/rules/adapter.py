"""The one adapter between casegrid and durable-rules 2.0.28. Nothing else imports ``durable``.

durable-rules is unmaintained and has hard edges, each measured on the development machine. What this
module does about each:

* **At most 1024 open sessions per ruleset; past that the process can segfault.** And, measured
  while building this: deleting the state of a session that only ever saw *unmatched* events
  segfaults too, while every unmatched event still allocates that session. So durable-rules never
  sees our group keys: every event goes to one fixed durable session per rule (``DURABLE_SID``),
  and rule conditions are single-event patterns (validated at load), so nothing is ever left
  pending there. The state that matters — windows, streaks, memory, cooldowns per rule set, rule
  and group key — is in the database (``engine.rules.state``, table ``event_rule_state``), so every
  process sees the same windows and a restart forgets none. Groups per rule set are capped at
  ``max_sessions`` (default 256): storing one more evicts the least recently seen. A group idle
  for ``session_ttl_seconds`` of *event* time counts as gone and is purged by a later ingest; a
  group whose window fired and holds nothing else is deleted at once.
* **Every Host starts a chain of background timer threads.** One host per process, created lazily
  under a lock, and of a subclass whose ``_run`` starts nothing: all work happens inside ``post``, on
  the caller's thread, under this module's lock.
* **Rule dicts are mutated on registration** (``run`` is deleted, nested dicts kept by reference).
  Conditions are deep-copied before registering; the parsed RuleSet is never handed over.
* **``c.post`` inside actions is broken, and an exception inside an action poisons the session**
  (durable-rules stores it in the session state and stops running actions there). Actions registered
  here only append the rule's name to a list; engine operations run afterwards, outside durable-rules,
  in the caller's transaction.
* **Timer actions fire at about 5 per second** (the dispatch thread's pace). No durable-rules timers
  or time windows are used: windows, streaks, memory and cooldowns are computed
  (``engine.rules.guards``) from each event's own ``occurred_at``. durable-rules does the matching
  of each event against each rule.
* **Events are consumed by the first rule that matches them.** Each rule is registered as its own
  durable-rules ruleset, so one event can match several rules of a set.
* **Explicit ids:** every posted event carries a process-unique ``id`` and the explicit ``sid``.

Concurrent ingests of one group (other threads, other processes) are serialised by the database
(``engine.rules.state`` says how); the in-process lock guards only the durable-rules host.
"""
from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from durable.engine import Host, MessageNotHandledException
from sqlalchemy.orm import Session

from engine.rules import state as stored
from engine.rules.guards import Match, apply_guards
from engine.rules.ruleset import Rule, RuleSet

DEFAULT_MAX_SESSIONS = 256
DURABLE_SESSION_LIMIT = 1024
DURABLE_SID = "casegrid"


class _QuietHost(Host):
    """A Host that starts no background threads (see the module docstring)."""

    def _run(self) -> None:
        return None


class DurableRules:
    """Rule sets registered once each (by name and content digest); groups bounded per rule set.

    Holds no window state itself: any number of instances (processes) share the database's."""

    def __init__(self, max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
        if not 0 < max_sessions < DURABLE_SESSION_LIMIT:
            raise ValueError(f"max_sessions must stay below durable-rules' limit of {DURABLE_SESSION_LIMIT}")
        self.max_sessions = max_sessions
        self._lock = threading.RLock()
        self._host: _QuietHost | None = None
        self._registered: dict[str, RuleSet] = {}
        self._fired: list[str] = []
        self._ids = itertools.count(1)
        self._memo = _MatchMemo()
        self.evicted = 0

    # -- registration --------------------------------------------------------------------------
    def _durable_name(self, ruleset: RuleSet, rule: Rule) -> str:
        return f"{ruleset.name}__{rule.name}__{ruleset.digest}"

    def _action(self, name: str) -> Any:
        def record(c: Any) -> None:  # noqa: ARG001 - durable-rules passes the closure; we need only the name
            self._fired.append(name)
        return record

    def register(self, ruleset: RuleSet) -> None:
        with self._lock:
            key = f"{ruleset.name}:{ruleset.digest}"
            if key in self._registered:
                return
            if self._host is None:
                self._host = _QuietHost()
            definitions = {self._durable_name(ruleset, rule): {
                rule.name: {**copy.deepcopy(rule.when), "run": self._action(rule.name)}} for rule in ruleset.rules}
            self._host.register_rulesets(definitions)
            self._registered[key] = ruleset

    # -- groups --------------------------------------------------------------------------------
    def open_sessions(self, session: Session, ruleset: RuleSet) -> int:
        """Groups of the rule set holding state in the database (for tests and metrics)."""
        return stored.count_groups(session, ruleset.name)

    def durable_sessions(self) -> dict[str, int]:
        """durable-rules' own session count per registered ruleset (for tests and metrics)."""
        with self._lock:
            counts: dict[str, int] = {}
            assert self._host is not None or not self._registered
            for ruleset in self._registered.values():
                for rule in ruleset.rules:
                    name = self._durable_name(ruleset, rule)
                    try:
                        self._host.get_state(name, DURABLE_SID)  # type: ignore[union-attr]
                        counts[name] = 1
                    except Exception:  # noqa: BLE001 - no state yet: the rule has seen no event
                        counts[name] = 0
            return counts

    # -- evaluation ----------------------------------------------------------------------------
    @staticmethod
    def session_id(ruleset: RuleSet, payload: dict[str, Any]) -> str | None:
        parts = [payload.get(key) for key in ruleset.session_key]
        if any(part in (None, "") for part in parts):
            return None
        return "|".join(str(part) for part in parts)

    def _matching(self, ruleset: RuleSet, event_type: str, payload: dict[str, Any]) -> set[str]:
        """The rules of the set whose (one-event) condition the event meets, by durable-rules.

        A condition reads only the fields it names; the answer for a rule is remembered per the values
        of those fields (``_MatchMemo``), so durable-rules sees each distinct combination once."""
        plain = _plain(payload)
        plain["type"] = event_type
        matched: set[str] = set()
        with self._lock:
            self.register(ruleset)
            assert self._host is not None
            for rule in ruleset.rules:
                name = self._durable_name(ruleset, rule)
                key = self._memo.key(name, rule.when, plain)
                known = self._memo.get(key) if key is not None else None
                if known is None:
                    self._fired.clear()
                    message = {**plain, "sid": DURABLE_SID, "id": next(self._ids)}
                    try:
                        self._host.post(name, message)
                    except MessageNotHandledException:
                        pass
                    known = rule.name in self._fired
                    if key is not None:
                        self._memo.put(key, known)
                if known:
                    matched.add(rule.name)
            return matched

    # -- batches -------------------------------------------------------------------------------
    @contextmanager
    def batch(self, session: Session) -> Iterator[None]:
        """Evaluations inside share their groups' state in memory and write it back once, at the end.

        Each group is locked and read on its first event of the batch (or all at once by ``prepare``)
        and written by ``store_many`` when the block ends without an error: a batch of 1,000 events
        costs a few statements per rule set instead of five per event. Nested blocks (an action's
        own case event, for instance) join the outer batch, so they see the same state. Anything that
        reads ``event_rule_state`` directly inside the block sees it as of the batch's start."""
        if _BATCH in session.info:
            yield
            return
        session.info[_BATCH] = _Batch()
        try:
            yield
            # outside_batch may have replaced it: the one in place now holds what is not written yet.
            self._write(session, session.info[_BATCH])
        finally:
            session.info.pop(_BATCH, None)

    def prepare(self, session: Session, rulesets: tuple[RuleSet, ...],
                events: list[tuple[str, dict[str, Any], datetime]]) -> None:
        """Lock and load, in one go, the groups the batch's events belong to (call inside ``batch``).

        Locks are taken in one global order, so concurrent batches never deadlock on each other."""
        current: _Batch = session.info[_BATCH]
        wanted: dict[str, tuple[RuleSet, dict[str, float]]] = {}
        for ruleset in rulesets:
            for event_type, payload, occurred_at in events:
                if event_type not in ruleset.accepts:
                    continue
                sid = self.session_id(ruleset, payload)
                if sid is None or (ruleset.name, sid) in current.groups:
                    continue
                firsts = wanted.setdefault(ruleset.name, (ruleset, {}))[1]
                firsts.setdefault(sid, occurred_at.timestamp())
        stored.lock_groups(session, [(name, sid) for name, (_r, firsts) in wanted.items() for sid in firsts])
        for name, (ruleset, firsts) in wanted.items():
            earliest = min(firsts.values())
            loaded = stored.load_many(session, name, list(firsts), earliest)
            for sid, group in loaded.items():
                _expire(group, ruleset, firsts[sid])
                current.add(ruleset, sid, group)

    @contextmanager
    def outside_batch(self, session: Session) -> Iterator[None]:
        """Run a rule's actions with the batch written out and set aside.

        Actions run in SAVEPOINTs that may roll back and retry (engine.events.actions); an action's own
        case event must then be evaluated against, and written to, the database inside that savepoint,
        as a single event is, or a retried action would count its event twice. The batch continues
        afterwards, reading its groups again from the database."""
        current = session.info.get(_BATCH)
        if current is None:
            yield
            return
        self._write(session, current)
        session.info.pop(_BATCH)
        try:
            yield
        finally:
            session.info[_BATCH] = _Batch()

    def _group(self, session: Session, current: _Batch, ruleset: RuleSet, sid: str, now: float) -> stored.GroupState:
        group = current.groups.get((ruleset.name, sid))
        if group is None:
            stored.lock_group(session, ruleset.name, sid)
            group = stored.load_many(session, ruleset.name, [sid], now)[sid]
            current.add(ruleset, sid, group)
        _expire(group, ruleset, now)
        return group

    def _write(self, session: Session, current: _Batch) -> None:
        for name, (ruleset, groups, newest) in current.by_ruleset.items():
            if newest == float("-inf"):
                continue  # loaded by prepare(), reached by no event yet: nothing to write
            keep = set(groups)
            adding = sum(1 for g in groups.values()
                         if g.touched and not g.was_live and any(not s.empty() for s in g.states.values()))
            if adding:
                evicted = stored.make_room(session, name, self.max_sessions, keep=keep, adding=adding)
                with self._lock:
                    self.evicted += evicted
            stored.store_many(session, name, groups, ruleset.session_ttl_seconds)
            stored.purge(session, name, newest, keep=keep)

    def evaluate(self, session: Session, ruleset: RuleSet, event_type: str, payload: dict[str, Any],
                 occurred_at: datetime) -> list[Match]:
        """Match one event against every rule of the set; returns the rules whose guards are met.

        Reads and writes the group's state in ``session``'s transaction, which holds the group's lock
        until it ends (engine.rules.state). Outside a ``batch`` block the event is a batch of one."""
        if event_type not in ruleset.accepts:
            return []
        sid = self.session_id(ruleset, payload)
        if sid is None:
            return []
        if _BATCH not in session.info:
            with self.batch(session):
                return self.evaluate(session, ruleset, event_type, payload, occurred_at)
        now = occurred_at.timestamp()
        matched = self._matching(ruleset, event_type, payload)
        # The database part runs outside self._lock: a thread waiting here for another transaction's
        # group lock must not keep the other threads of this process from durable-rules.
        event = _jsonable({**payload, "type": event_type, "occurred_at": occurred_at.isoformat()})
        current: _Batch = session.info[_BATCH]
        group = self._group(session, current, ruleset, sid, now)
        found = apply_guards(ruleset, sid, group.states, event, matched, now)
        group.last_seen = max(group.last_seen or now, now)
        group.touched = True
        current.saw(ruleset.name, now)
        return found


_BATCH = "casegrid.rules.batch"


class _Batch:
    """The groups one batch has loaded, per rule set, and the newest event time each rule set saw."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], stored.GroupState] = {}
        self.by_ruleset: dict[str, tuple[RuleSet, dict[str, stored.GroupState], float]] = {}

    def add(self, ruleset: RuleSet, sid: str, group: stored.GroupState) -> None:
        self.groups[(ruleset.name, sid)] = group
        entry = self.by_ruleset.setdefault(ruleset.name, (ruleset, {}, float("-inf")))
        entry[1][sid] = group

    def saw(self, ruleset: str, now: float) -> None:
        ruleset_, groups, newest = self.by_ruleset[ruleset]
        if now > newest:
            self.by_ruleset[ruleset] = (ruleset_, groups, now)


def _expire(group: stored.GroupState, ruleset: RuleSet, now: float) -> None:
    """A group idle past the rule set's TTL by ``now`` (event time) counts as gone, as load() has it."""
    if group.last_seen is not None and group.last_seen + ruleset.session_ttl_seconds < now:
        group.states = {}
        group.last_seen = None
        group.was_live = False


class _MatchMemo:
    """Bounded memory of durable-rules' answers: (rule, values of the fields its condition reads) -> matched.

    Only conditions of the simple grammar below are remembered (field = value, comparisons and
    existence tests of a field against a constant, $and/$or of those); a condition with anything else
    (references to other fields or to state, nested objects) is posted to durable-rules every time."""

    SIZE = 20_000
    COMPARISONS = frozenset({"$lt", "$lte", "$gt", "$gte", "$neq", "$ex", "$nex", "$mt", "$imt"})

    def __init__(self) -> None:
        self._answers: dict[tuple[Any, ...], bool] = {}
        self._fields: dict[str, tuple[str, ...] | None] = {}

    def fields(self, name: str, when: dict[str, Any]) -> tuple[str, ...] | None:
        if name not in self._fields:
            names: set[str] = set()
            terms = [t["m"] for t in next(iter(when.values()))]
            self._fields[name] = tuple(sorted(names)) if all(self._read(t, names) for t in terms) else None
        return self._fields[name]

    def _read(self, term: Any, names: set[str]) -> bool:
        if not isinstance(term, dict) or not term:
            return False
        for key, value in term.items():
            if key in ("$and", "$or"):
                if not isinstance(value, list) or not all(self._read(t, names) for t in value):
                    return False
            elif key in self.COMPARISONS:
                if not isinstance(value, dict) or len(value) != 1:
                    return False
                (field_name, constant), = value.items()
                if field_name.startswith("$") or not _scalar(constant):
                    return False
                names.add(field_name)
            elif key.startswith("$") or not _scalar(value):
                return False
            else:
                names.add(key)
        return True

    def key(self, name: str, when: dict[str, Any], plain: dict[str, Any]) -> tuple[Any, ...] | None:
        fields = self.fields(name, when)
        if fields is None:
            return None
        # The type is part of the key: 1, 1.0 and True are equal in Python but not to durable-rules.
        return (name, *((type(v).__name__, v) for v in (plain.get(f, _MISSING) for f in fields)))

    def get(self, key: tuple[Any, ...]) -> bool | None:
        return self._answers.get(key)

    def put(self, key: tuple[Any, ...], matched: bool) -> None:
        if len(self._answers) >= self.SIZE:
            self._answers.clear()
        self._answers[key] = matched


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _jsonable(event: dict[str, Any]) -> dict[str, Any]:
    # The event is kept in the group's JSON state (windows, memory); non-JSON values become strings.
    # Flat events of plain values (sensor readings, case events) are already JSON: no round trip.
    if all(isinstance(v, str | int | float | bool) or v is None for v in event.values()) and \
            all(isinstance(k, str) for k in event):
        return dict(event)
    return json.loads(json.dumps(event, default=str))


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    # durable-rules reads JSON; reserved keys (sid, id) come from us, never from the event.
    return {k: v for k, v in payload.items() if k not in ("sid", "id") and isinstance(v, str | int | float | bool)}


_shared: DurableRules | None = None
_shared_lock = threading.Lock()


def shared_rules() -> DurableRules:
    """The process's one adapter (and so one durable-rules host)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DurableRules()
        return _shared
