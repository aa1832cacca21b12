"""`casegrid events consume`: the broker consumers of engine.app.event_consumers; `casegrid events purge`:
the idempotency keys past their retention (engine.events.retention)."""
from __future__ import annotations

import logging

import click

from engine.app.cli_support import _db, _emit, reports_errors


@click.group("events")
def events_group() -> None:
    """Event ingestion from the district's IoT brokers (docs/event-ingestion.md)."""


@events_group.command("consume")
@click.option("--broker", type=click.Choice(["mqtt", "amqp"]), required=True,
              help="MQTT (CASEGRID_MQTT_*) or AMQP (CASEGRID_AMQP_*).")
@click.option("--account", default=None, help="Service account whose authority the events carry "
                                               "(default CASEGRID_EVENTS_ACCOUNT, else gauge_gateway).")
@click.option("--exit-when-idle", type=float, default=None,
              help="Exit after this many seconds without a message (default: run until SIGTERM).")
@reports_errors
def consume(broker: str, account: str | None, exit_when_idle: float | None) -> None:
    """Apply sensor events from a broker in batches; acknowledge each message after its batch committed."""
    from engine.app.event_consumers import Applier, Stop, consume_amqp, consume_mqtt
    from engine.events.settings import ingestion_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = ingestion_settings()
    applier = Applier(_db(), account or settings.account)
    stop = Stop()
    stop.install()
    click.echo(f"consuming {broker} as {applier.account} (batches of up to {settings.batch_max})")
    (consume_mqtt if broker == "mqtt" else consume_amqp)(applier, settings, stop, exit_when_idle)
    click.echo(f"applied {applier.applied}, duplicates {applier.duplicates}, refused {applier.refused}")


@events_group.command("purge")
@click.option("--older-than", "older_than", type=int, default=None, metavar="DAYS",
              help="Delete idempotency keys received more than DAYS days ago "
                   "(default CASEGRID_EVENT_KEY_RETENTION_DAYS, 30; at least 1).")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def purge(older_than: int | None, as_json: bool) -> None:
    """Delete the idempotency keys of external events older than the retention, in batches; safe beside
    running consumers and workers (the worker also does it every few minutes)."""
    from engine.app.worker import purge_event_keys_before

    done = purge_event_keys_before(_db(), older_than, batches=None)
    cutoff = done.cutoff.isoformat(timespec="seconds")
    _emit(as_json, {"deleted": done.deleted, "received_before": cutoff, "transactions": done.batches},
          f"purged {done.deleted} event idempotency key(s) received before {cutoff} "
          f"({done.batches} transaction(s))")
