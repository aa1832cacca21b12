"""Move running cases from one deployed version of a process to another (迁移).

``alignment`` pairs the elements of the two versions (by id, an analyst's id map, then structure);
``planning`` says for one case where each waiting token lands and what cannot be moved; ``moving``
applies a plan to the case's workflow in memory; ``service`` does it to a stored case, with its work
items, timers, subscriptions and audit. The commands in engine.commands.migrations authorise and batch.
"""
