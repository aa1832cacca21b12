"""Windows, streaks, memory and cooldowns: what a rule needs beyond durable-rules' one-event match.

Pure functions over one group's state (a rule set's session key values, e.g. subcategory + grid cell),
run on each event's own ``occurred_at``: no timers. ``engine.rules.state`` loads and stores that
state in the database; ``engine.rules.adapter`` says which rules matched.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.rules.ruleset import Rule, RuleSet


@dataclass
class RuleState:
    """One rule's state in one group; ``quiet_until`` None means no cooldown is running."""

    window: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    streak: list[dict[str, Any]] = field(default_factory=list)
    remembered: tuple[float, dict[str, Any]] | None = None
    quiet_until: float | None = None

    def empty(self) -> bool:
        return not self.window and not self.streak and self.remembered is None and self.quiet_until is None

    def to_json(self) -> dict[str, Any]:
        return {"window": [[t, e] for t, e in self.window], "streak": list(self.streak),
                "remembered": list(self.remembered) if self.remembered else None, "quiet_until": self.quiet_until}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleState:
        remembered = data.get("remembered")
        return cls(window=[(float(t), e) for t, e in data.get("window") or []], streak=list(data.get("streak") or []),
                   remembered=(float(remembered[0]), remembered[1]) if remembered else None,
                   quiet_until=data.get("quiet_until"))


@dataclass(frozen=True)
class Match:
    """A rule whose guards were met by an event: what its actions get to see."""

    ruleset: str
    rule: Rule
    sid: str
    event: dict[str, Any]
    window: tuple[dict[str, Any], ...] = ()  # the events of the window (or streak), oldest first
    after: dict[str, Any] | None = None  # the remembered event an `after` guard found


def _window(rule: Rule, state: RuleState, event: dict[str, Any], now: float) -> tuple[dict[str, Any], ...] | None:
    """The events that fire the rule now, or None while its window or streak is not yet full."""
    if rule.window_count is not None and rule.window_seconds is not None:
        state.window.append((now, event))
        state.window = [(t, e) for t, e in state.window if now - t <= rule.window_seconds]
        if len(state.window) < rule.window_count:
            return None
        fired = tuple(e for _t, e in state.window)
        state.window = []  # the window empties when it fires: the next hot spot needs new reports
        return fired
    if rule.streak is not None:
        state.streak.append(event)
        if len(state.streak) < rule.streak:
            return None
        fired = tuple(state.streak)
        state.streak = []
        return fired
    return (event,)


def apply_guards(ruleset: RuleSet, sid: str, states: dict[str, RuleState], event: dict[str, Any],
                 matched: set[str], now: float) -> list[Match]:
    """Update the group's rule states (in place) for one event; the matches whose guards are met."""
    found: list[Match] = []
    for rule in ruleset.rules:
        state = states.setdefault(rule.name, RuleState())
        if rule.name not in matched:
            state.streak = []  # a streak is broken by any event of the group that does not match
            continue
        if rule.remember:
            state.remembered = (now, event)
        window = _window(rule, state, event, now)
        if window is None:
            continue
        after = None
        if rule.after_rule is not None:
            remembered = states.get(rule.after_rule, RuleState()).remembered
            # `is event`: a rule cannot be "after" the very event it is looking at.
            if remembered is None or now - remembered[0] > (rule.after_seconds or 0) or remembered[1] is event:
                continue
            after = remembered[1]
        if state.quiet_until is not None and now < state.quiet_until:
            continue
        if rule.cooldown_seconds:
            state.quiet_until = now + rule.cooldown_seconds
        if rule.actions:
            found.append(Match(ruleset.name, rule, sid, event, window, after))
    for state in states.values():
        if state.quiet_until is not None and now >= state.quiet_until:
            state.quiet_until = None
    return found
