"""The one adapter between casegrid and durable-rules 2.0.28. Nothing else imports ``durable``.

durable-rules is unmaintained and has hard edges, each measured on the development machine. What this
module does about each:

* **At most 1024 open sessions per ruleset; past that the process can segfault.** And, measured
  while building this: deleting the state of a session that only ever saw *unmatched* events
  segfaults too, while every unmatched event still allocates that session. So durable-rules never
  sees our session keys: every event goes to one fixed durable session per rule (``DURABLE_SID``),
  and rule conditions are single-event patterns (validated at load), so nothing is ever left
  pending there. The sessions that matter — windows, streaks, memory, per rule-set key — live
  here, tracked in LRU order and capped at ``max_sessions`` (default 256, a quarter of the limit):
  opening one more evicts the least recently used. Idle sessions (no event for
  ``session_ttl_seconds`` of *event* time) are deleted as soon as any later event of the rule set
  arrives, and a session whose window fired and holds nothing else is deleted at once.
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
  or time windows are used: windows, streaks, memory and cooldowns are computed here from each
  event's own ``occurred_at``. durable-rules does the matching of each event against each rule.
* **Events are consumed by the first rule that matches them.** Each rule is registered as its own
  durable-rules ruleset, so one event can match several rules of a set.
* **Explicit ids:** every posted event carries a process-unique ``id`` and the explicit ``sid``.

State lives in this process's memory: a restart forgets open windows, and several worker processes
each see only the events posted to them (docs/families.md).
"""
from __future__ import annotations

import copy
import itertools
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from durable.engine import Host, MessageNotHandledException

from engine.rules.ruleset import Rule, RuleSet

DEFAULT_MAX_SESSIONS = 256
DURABLE_SESSION_LIMIT = 1024
DURABLE_SID = "casegrid"


class _QuietHost(Host):
    """A Host that starts no background threads (see the module docstring)."""

    def _run(self) -> None:
        return None


@dataclass
class _RuleState:
    window: deque[tuple[float, dict[str, Any]]] = field(default_factory=deque)
    streak: list[dict[str, Any]] = field(default_factory=list)
    remembered: tuple[float, dict[str, Any]] | None = None
    quiet_until: float = float("-inf")


@dataclass
class _Session:
    sid: str
    last_seen: float
    rules: dict[str, _RuleState] = field(default_factory=dict)

    def empty(self) -> bool:
        return all(not s.window and not s.streak and s.remembered is None and s.quiet_until == float("-inf")
                   for s in self.rules.values())


@dataclass(frozen=True)
class Match:
    """A rule whose guards were met by an event: what its actions get to see."""

    ruleset: str
    rule: Rule
    sid: str
    event: dict[str, Any]
    window: tuple[dict[str, Any], ...] = ()  # the events of the window (or streak), oldest first
    after: dict[str, Any] | None = None  # the remembered event an `after` guard found


class DurableRules:
    """Rule sets registered once each (by name and content digest); sessions bounded per rule set."""

    def __init__(self, max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
        if not 0 < max_sessions < DURABLE_SESSION_LIMIT:
            raise ValueError(f"max_sessions must stay below durable-rules' limit of {DURABLE_SESSION_LIMIT}")
        self.max_sessions = max_sessions
        self._lock = threading.RLock()
        self._host: _QuietHost | None = None
        self._registered: dict[str, RuleSet] = {}
        self._sessions: dict[str, OrderedDict[str, _Session]] = {}
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
            self._sessions.setdefault(key, OrderedDict())

    # -- sessions ------------------------------------------------------------------------------
    def open_sessions(self, ruleset: RuleSet | None = None) -> int:
        with self._lock:
            if ruleset is not None:
                return len(self._sessions.get(f"{ruleset.name}:{ruleset.digest}", {}))
            return max((len(s) for s in self._sessions.values()), default=0)

    def _delete(self, ruleset: RuleSet, sid: str) -> None:
        # Only our state: durable-rules holds no per-key session (see the module docstring).
        self._sessions[f"{ruleset.name}:{ruleset.digest}"].pop(sid, None)

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

    def close_session(self, ruleset: RuleSet, sid: str) -> None:
        with self._lock:
            self._delete(ruleset, sid)

    def _expire(self, ruleset: RuleSet, now: float) -> None:
        # Sessions are kept in order of last use, so the stale ones are at the front.
        sessions = self._sessions[f"{ruleset.name}:{ruleset.digest}"]
        while sessions:
            sid, oldest = next(iter(sessions.items()))
            if now - oldest.last_seen <= ruleset.session_ttl_seconds:
                break
            self._delete(ruleset, sid)

    def _session(self, ruleset: RuleSet, sid: str, now: float) -> _Session:
        sessions = self._sessions[f"{ruleset.name}:{ruleset.digest}"]
        session = sessions.get(sid)
        if session is None:
            while len(sessions) >= self.max_sessions:
                oldest = next(iter(sessions))
                self._delete(ruleset, oldest)
                self.evicted += 1
            session = sessions[sid] = _Session(sid, now)
        sessions.move_to_end(sid)
        session.last_seen = max(session.last_seen, now)
        return session

    # -- evaluation ----------------------------------------------------------------------------
    @staticmethod
    def session_id(ruleset: RuleSet, payload: dict[str, Any]) -> str | None:
        parts = [payload.get(key) for key in ruleset.session_key]
        if any(part in (None, "") for part in parts):
            return None
        return "|".join(str(part) for part in parts)

    def evaluate(self, ruleset: RuleSet, event_type: str, payload: dict[str, Any], occurred_at: datetime) -> list[Match]:
        """Match one event against every rule of the set; returns the rules whose guards are met."""
        if event_type not in ruleset.accepts:
            return []
        sid = self.session_id(ruleset, payload)
        if sid is None:
            return []
        now = occurred_at.timestamp()
        with self._lock:
            self.register(ruleset)
            assert self._host is not None
            self._expire(ruleset, now)
            session = self._session(ruleset, sid, now)
            event = {**payload, "type": event_type, "occurred_at": occurred_at.isoformat()}
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
            found = self._apply_guards(ruleset, session, event, matched, now)
            if session.empty():
                # A fired window leaves nothing to remember: the session's state goes at once.
                self._delete(ruleset, sid)
            return found

    def _apply_guards(self, ruleset: RuleSet, session: _Session, event: dict[str, Any], matched: set[str],
                      now: float) -> list[Match]:
        found: list[Match] = []
        for rule in ruleset.rules:
            state = session.rules.setdefault(rule.name, _RuleState())
            if rule.name not in matched:
                state.streak.clear()  # a streak is broken by any event of the session that does not match
                continue
            if rule.remember:
                state.remembered = (now, event)
            if rule.window_count is not None and rule.window_seconds is not None:
                state.window.append((now, event))
                while state.window and now - state.window[0][0] > rule.window_seconds:
                    state.window.popleft()
                if len(state.window) < rule.window_count:
                    continue
                window = tuple(e for _t, e in state.window)
                state.window.clear()
            elif rule.streak is not None:
                state.streak.append(event)
                if len(state.streak) < rule.streak:
                    continue
                window = tuple(state.streak)
                state.streak.clear()
            else:
                window = (event,)
            after = None
            if rule.after_rule is not None:
                remembered = session.rules.get(rule.after_rule, _RuleState()).remembered
                if remembered is None or now - remembered[0] > (rule.after_seconds or 0) or remembered[1] is event:
                    continue
                after = remembered[1]
            if now < state.quiet_until:
                continue
            if rule.cooldown_seconds:
                state.quiet_until = now + rule.cooldown_seconds
            if rule.actions:
                found.append(Match(ruleset.name, rule, session.sid, event, window, after))
        for state in session.rules.values():
            if state.quiet_until != float("-inf") and now >= state.quiet_until:
                state.quiet_until = float("-inf")
        return found

    def reset(self) -> None:
        """Forget every session (tests, reload); registrations stay, as durable-rules cannot drop them."""
        with self._lock:
            for key, sessions in self._sessions.items():
                ruleset = self._registered[key]
                for sid in list(sessions):
                    self._delete(ruleset, sid)


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
