"""Event rules: JSON rule sets (rules/events/*.json) matched by durable-rules behind one adapter.

* ``engine.rules.ruleset`` — the rule-set file format, parsed and validated
* ``engine.rules.adapter`` — the only module that touches durable-rules (see its docstring)
* ``engine.events.actions`` — the registered engine operations actions may name
* ``engine.events.loading`` — the rule sets of the deployed definitions
See docs/families.md ("Event rules").
"""
