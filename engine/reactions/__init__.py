"""Reactions: what follows a case's step, subscribed to its StepResult (engine.runtime.reactions).

Registered once at start-up by ``engine.app.boot.boot``; the order is the order they run in:
clocks first (a message routed next may start a case whose rules read this case's limits), then
message routing, then the event rule sets. The SLA timer kinds are registered here too: they are
the time limits' reaction to the clock.
"""
from __future__ import annotations

from engine.reactions.case_events import publish_on_step
from engine.reactions.clocks import sync_clocks_on_step
from engine.reactions.message_routing import route_on_step
from engine.reactions.time_limit_timers import register as register_time_limit_timers
from engine.runtime.reactions import register


def register_all() -> None:
    register("time_limit_clocks", sync_clocks_on_step)
    register("message_routing", route_on_step)
    register("event_rules", publish_on_step)
    register_time_limit_timers()
