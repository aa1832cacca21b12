"""Events into the event rule sets: external events (POST /api/v1/events) and the engine's own case events.

* ``engine.events.service.ingest`` — one event through every rule set that accepts its type
* ``engine.reactions.case_events.publish_case_event`` — called by the case service on start and close
See docs/families.md ("Event rules").
"""
