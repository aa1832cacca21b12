"""Gateways where SpiffWorkflow's behaviour forks a loop into two live tokens.

A parallel gateway that only splits does not act as a join.

SpiffWorkflow runs every parallel gateway as an unstructured join. When one runs, it drops the
children of every earlier finished instance of the same gateway that is not its ancestor. That is
meant for a workflow reset inside a parallel branch, which casegrid never does. In a loop that forks
a side branch at each pass (the emergency family forks its report tasks at every grade change), it
dropped the live main branch: the waiting event gateway disappeared from the tree but stayed
registered for events, and the third grade change failed with
"'NoneType' object has no attribute 'data'".

A gateway with one incoming flow has nothing to join, so here it only passes its data on. Gateways
that join (two or more incoming flows) keep SpiffWorkflow's behaviour.

An event-based gateway takes one branch. SpiffWorkflow's takes every event it has seen: a message
caught while one of the gateway's timers is already past due (the worker had not fired it yet) ran
both the message's branch and the timer's. In the emergency loop (grade change + deadline timer) that
left two waiting copies of the loop, the stale one dispatching agencies a second time at the next grade
change. Here the first event seen wins; a message is never dropped for a timer (its sender was told it
was delivered), and a timer in a loop is due again at the next pass of the gateway.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import EventBasedGateway, ParallelGateway


class CasegridParallelGateway(ParallelGateway):  # type: ignore[misc]
    def _run_hook(self, my_task: Any) -> bool:
        if len(self.inputs) > 1:
            return bool(super()._run_hook(my_task))
        my_task._inherit_data()
        return True


class CasegridEventBasedGateway(EventBasedGateway):  # type: ignore[misc]
    def _run_hook(self, my_task: Any) -> bool:
        seen = my_task.internal_data.get("seen_events", [])
        if len(seen) > 1:
            my_task.internal_data["seen_events"] = seen[:1]
        return bool(super()._run_hook(my_task))
