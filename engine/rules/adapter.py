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
        """The rules of the set whose (one-event) condition the event meets, by durable-rules."""
        with self._lock:
            self.register(ruleset)
            assert self._host is not None
            matched: set[str] = set()
            for rule in ruleset.rules:
                self._fired.clear()
                message = {**_plain(payload), "type": event_type, "sid": DURABLE_SID, "id": next(self._ids)}
                try:
                    self._host.post(self._durable_name(ruleset, rule), message)
                except MessageNotHandledException:
                    continue
                if rule.name in self._fired:
                    matched.add(rule.name)
            return matched

    def evaluate(self, session: Session, ruleset: RuleSet, event_type: str, payload: dict[str, Any],
                 occurred_at: datetime) -> list[Match]:
        """Match one event against every rule of the set; returns the rules whose guards are met.

        Reads and writes the group's state in ``session``'s transaction, which holds the group's lock
        until it ends (engine.rules.state)."""
        if event_type not in ruleset.accepts:
            return []
        sid = self.session_id(ruleset, payload)
        if sid is None:
            return []
        now = occurred_at.timestamp()
        matched = self._matching(ruleset, event_type, payload)
        # The database part runs outside self._lock: a thread waiting here for another transaction's
        # group lock must not keep the other threads of this process from durable-rules.
        event = _jsonable({**payload, "type": event_type, "occurred_at": occurred_at.isoformat()})
        stored.lock_group(session, ruleset.name, sid)
        group = stored.load(session, ruleset.name, sid, now)
        was_live = group.live
        found = apply_guards(ruleset, sid, group.states, event, matched, now)
        if not was_live and any(not s.empty() for s in group.states.values()):
            evicted = stored.make_room(session, ruleset.name, self.max_sessions, keep=sid)
            with self._lock:
                self.evicted += evicted
        stored.store(session, ruleset.name, sid, group, ruleset.session_ttl_seconds, now)
        stored.purge(session, ruleset.name, now, keep=sid)
        return found


def _jsonable(event: dict[str, Any]) -> dict[str, Any]:
    # The event is kept in the group's JSON state (windows, memory); non-JSON values become strings.
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
