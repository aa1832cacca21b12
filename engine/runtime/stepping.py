"""Run a workflow to its next wait state, pruning as it goes and failing loudly on runaway loops."""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.errors import ScriptFailed
from engine.runtime.pruning import prune_history

# A single service call that runs this many engine rounds without reaching a wait state is a loop
# without a human or timer in it; stopping it beats spinning a worker forever.
MAX_ENGINE_ROUNDS = 20_000


def run_until_wait(workflow: BpmnWorkflow, max_rounds: int = MAX_ENGINE_ROUNDS) -> None:
    rounds = 0
    while workflow._do_engine_steps():
        rounds += 1
        prune_history(workflow)
        if rounds >= max_rounds:
            raise ScriptFailed(
                f"process did not reach a wait state after {max_rounds} engine steps (a loop without a user task or timer?)"
            )
    workflow.refresh_timers()
    # Timers that fired during the refresh make more tasks ready.
    while workflow._do_engine_steps():
        rounds += 1
        prune_history(workflow)
        if rounds >= max_rounds:
            raise ScriptFailed(f"process did not reach a wait state after {max_rounds} engine steps")
    prune_history(workflow)
