"""The engine operations a rule action may name. Rule files name them; they never carry code.

Only the names live here, with the rule-set format: deploy-time validation checks action names
against them without depending on the code that runs them (engine.events.actions, above the cases).
"""
from __future__ import annotations

OPERATION_NAMES: frozenset[str] = frozenset({"start_case", "raise_priority", "link_cases", "flag_case", "notify"})
