"""Settings of event ingestion, from the environment (docs/event-ingestion.md lists them)."""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BATCH_MAX = 1000
# Idempotency keys must outlive every redelivery: a broker's (an unacknowledged message comes back when
# the consumer reconnects, after an outage of hours or days) and a program's retry. A month is far past
# both and keeps the table to a month of events.
DEFAULT_KEY_RETENTION_DAYS = 30


@dataclass(frozen=True)
class IngestionSettings:
    batch_max: int  # events per POST /api/v1/events/batch and per consumer transaction, at most
    account: str  # the service account whose authority events from a broker carry
    mqtt_host: str
    mqtt_port: int
    mqtt_topic: str
    mqtt_client_id: str
    mqtt_username: str | None
    mqtt_password: str | None
    amqp_url: str
    amqp_queue: str
    batch_wait_seconds: float  # a consumer commits what it holds after this long without a full batch
    # ... or after this long without a new message: the backlog is drained (or the broker holds the rest
    # back until this batch is acknowledged), and waiting out batch_wait_seconds would only idle.
    batch_idle_seconds: float = 0.05
    key_retention_days: int = DEFAULT_KEY_RETENTION_DAYS  # ingested_events rows older than this are purged


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    value = int(env.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name) or default)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds") from None
    if not 0 <= value <= 60:
        raise ValueError(f"{name} must be between 0 and 60 seconds")
    return value


def ingestion_settings(env: dict[str, str] | None = None) -> IngestionSettings:
    env = dict(os.environ if env is None else env)
    return IngestionSettings(
        batch_max=_positive_int(env, "CASEGRID_EVENTS_BATCH_MAX", DEFAULT_BATCH_MAX),
        account=env.get("CASEGRID_EVENTS_ACCOUNT") or "gauge_gateway",
        mqtt_host=env.get("CASEGRID_MQTT_HOST") or "127.0.0.1",
        mqtt_port=_positive_int(env, "CASEGRID_MQTT_PORT", 1883),
        mqtt_topic=env.get("CASEGRID_MQTT_TOPIC") or "casegrid/events/#",
        mqtt_client_id=env.get("CASEGRID_MQTT_CLIENT_ID") or "casegrid-events",
        mqtt_username=env.get("CASEGRID_MQTT_USERNAME") or None,
        mqtt_password=env.get("CASEGRID_MQTT_PASSWORD") or None,
        amqp_url=env.get("CASEGRID_AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672/%2F",
        amqp_queue=env.get("CASEGRID_AMQP_QUEUE") or "casegrid.events",
        batch_wait_seconds=_seconds(env, "CASEGRID_EVENTS_BATCH_WAIT", 0.5),
        batch_idle_seconds=_seconds(env, "CASEGRID_EVENTS_BATCH_IDLE", 0.05),
        key_retention_days=_positive_int(env, "CASEGRID_EVENT_KEY_RETENTION_DAYS", DEFAULT_KEY_RETENTION_DAYS),
    )
