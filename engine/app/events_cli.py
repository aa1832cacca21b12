"""`casegrid events consume`: the broker consumers of engine.events.consume."""
from __future__ import annotations

import logging

import click

from engine.app.cli_support import _db, reports_errors


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
    from engine.events.consume import Applier, Stop, consume_amqp, consume_mqtt
    from engine.events.settings import ingestion_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = ingestion_settings()
    applier = Applier(_db(), account or settings.account)
    stop = Stop()
    stop.install()
    click.echo(f"consuming {broker} as {applier.account} (batches of up to {settings.batch_max})")
    (consume_mqtt if broker == "mqtt" else consume_amqp)(applier, settings, stop, exit_when_idle)
    click.echo(f"applied {applier.applied}, duplicates {applier.duplicates}, refused {applier.refused}")
