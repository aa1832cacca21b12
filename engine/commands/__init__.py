"""Commands: the only way to change a case.

Every state-changing action is one function here — ``start``, ``cancel`` (cases); ``claim``, ``unclaim``,
``transfer``, ``return_task``, ``complete``, ``request_extension``, ``stage_done`` (tasks); ``urge``,
``decide_extension`` (supervision); ``deliver_message`` (messages); ``ingest_event`` (events); ``fire_timer`` (timers, the worker);
``retry_incident``, ``cancel_incident`` (incidents); ``sign_in_with_identity`` (users: single sign-on). The web UI,
the API, the CLI, the worker, the time-limit reactions, the demo seeding and the benchmarks call them and
nothing below them (tests/core/test_architecture.py holds them to it).

Each command takes the session first (the caller's transaction: one command, one transaction), then the
actor, then the target and its inputs. It authorises once (engine.commands.authorise: one refusal policy),
validates once (forms, attachments), runs the step, and returns what changed. The refusal policy:

* the target does not exist, or the actor may not see it → ``NotFound`` (404: nobody learns what exists
  outside their scope);
* the actor may see it but not do this → ``Forbidden`` (403);
* the target is no longer in a state that allows it (a task completed by someone else, a case no longer
  running, a stale case version, a lost race) → ``Conflict`` (409);
* the input is wrong → ``InvalidInput`` (422, with field errors).

In every refusal nothing changes.
"""
