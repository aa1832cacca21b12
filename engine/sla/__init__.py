"""Time limits: SLA policies, clocks that pause and extend, SLA timers, escalation, urging (督办).

Import what you need from the submodules (kept free of package-level imports so that the case
service can import ``engine.sla.clocks`` without cycles):

* ``engine.sla.services`` — pause_clock, resume_clock, request_extension, decide_extension, urge,
  advance_stage, acknowledge_escalation
* ``engine.sla.queries`` — department/step overviews, overdue lists, escalations, KPIs
* ``engine.sla.calendar_store`` / ``engine.sla.recompute`` — the calendar table, loading a year
* ``engine.sla.notify`` — notifications inbox
See docs/time-limits.md.
"""
