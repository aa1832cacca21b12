"""`casegrid events consume`: sensor events from the district's brokers (MQTT, AMQP) into the rule sets.

The promise is at-least-once delivery from the broker and at-most-once application here, so exactly
once in effect:

* messages are taken in batches: up to CASEGRID_EVENTS_BATCH_MAX, or what arrived within
  CASEGRID_EVENTS_BATCH_WAIT seconds of the first, or until none came for CASEGRID_EVENTS_BATCH_IDLE
  seconds (the backlog is drained); each batch is one transaction (engine.events.batch);
* the broker may send up to two batches ahead (MQTT receive maximum, AMQP prefetch), so the next batch
  is on its way while this one is applied;
* a message is acknowledged only after the transaction that applied it committed: a consumer killed
  before that leaves it unacknowledged, and the broker delivers it again (MQTT QoS 1 with a persistent
  session, AMQP with manual acknowledgement);
* a message delivered again after its batch committed (the consumer died between commit and
  acknowledgement) finds its idempotency key in ``ingested_events`` and changes nothing.

Every event carries the authority of one configured service account (CASEGRID_EVENTS_ACCOUNT): the
rule sets' ``posted_by`` must grant its roles the event's type, as for POST /api/v1/events with its
bearer token. An event that is refused (not JSON, malformed, a type the account may not post) is
recorded in the batch's audit row and acknowledged — redelivering it could never succeed — and on
AMQP rejected without requeue, so a dead-letter exchange, if the queue has one, keeps it.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from engine.commands.events import ingest_event_batch
from engine.errors import CasegridError, InvalidInput
from engine.events.batch import BatchOutcome
from engine.events.settings import IngestionSettings
from engine.org.service import actor_for
from engine.store.database import Database

log = logging.getLogger("casegrid.events.consume")


@dataclass(frozen=True)
class Delivery:
    """One broker message: its body as received and what acknowledges it."""

    tag: Any  # MQTT: the message; AMQP: the delivery tag
    body: bytes
    message_id: str | None = None


def _event(delivery: Delivery) -> Any:
    """The message as an event body; anything that is not a JSON object is kept as text, to be refused."""
    try:
        body = json.loads(delivery.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return delivery.body[:200].decode("utf-8", "replace")
    if isinstance(body, dict) and body.get("id") in (None, "") and delivery.message_id:
        body["id"] = delivery.message_id
    return body


class Applier:
    """Applies batches of deliveries under the service account; says which were refused."""

    def __init__(self, db: Database, account: str) -> None:
        if account == "system":
            raise InvalidInput("the events account must be a service account, not 'system'",
                               {"CASEGRID_EVENTS_ACCOUNT": ["name a user holding a role the rule sets' posted_by grants"]})
        self.db = db
        self.account = account
        with db.transaction() as session:
            actor_for(session, account)  # a missing or inactive account stops the consumer at start
        self.applied = 0
        self.duplicates = 0
        self.refused = 0

    def _once(self, bodies: list[Any]) -> BatchOutcome:
        with self.db.transaction() as session:
            return ingest_event_batch(session, actor_for(session, self.account), bodies, skip_refused=True)

    def apply(self, deliveries: list[Delivery]) -> list[bool]:
        """Commit the batch; per delivery, True when it was refused (it is acknowledged all the same).

        Raises only when the database cannot be reached: then nothing is acknowledged."""
        bodies = [_event(d) for d in deliveries]
        try:
            try:
                outcome = self._once(bodies)
            except IntegrityError:
                # Another consumer committed one of these keys after this batch looked: now it is found.
                outcome = self._once(bodies)
            outcomes = outcome.outcomes
        except (CasegridError, IntegrityError) as exc:
            # One event's actions failed (a conflict that outlasted its retries, say): apply them one by
            # one, so that one event cannot hold back the others forever.
            log.warning("batch of %d failed (%s); applying its events one by one", len(bodies), exc)
            outcomes = []
            for body in bodies:
                try:
                    outcomes.extend(self._once([body]).outcomes)
                except (CasegridError, IntegrityError) as single:
                    outcomes.append({"status": "refused", "reason": str(single)})
        refused = [o["status"] == "refused" for o in outcomes]
        self.applied += sum(1 for o in outcomes if o["status"] == "applied")
        self.duplicates += sum(1 for o in outcomes if o["status"] == "duplicate")
        self.refused += sum(refused)
        for outcome in outcomes:
            if outcome["status"] == "refused":
                log.warning("event refused: %s", outcome.get("reason"))
        return refused


class Stop:
    """Set by SIGTERM/SIGINT: the consumer finishes the batch it holds, then exits."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.event.set())


def _crash_hook() -> Callable[[], None]:
    """Fault injection for the tests (CASEGRID_EVENTS_CRASH_AFTER_COMMITS=N): the process dies right after
    its N-th commit, before acknowledging, as a power cut would have it."""
    limit = int(os.environ.get("CASEGRID_EVENTS_CRASH_AFTER_COMMITS") or 0)
    commits = [0]

    def after_commit() -> None:
        commits[0] += 1
        if limit and commits[0] >= limit:
            os._exit(17)
    return after_commit


class _Filling:
    """When a batch being collected is complete: full, CASEGRID_EVENTS_BATCH_WAIT after its first message,
    or CASEGRID_EVENTS_BATCH_IDLE after its latest (the broker has nothing more for now)."""

    POLL = 0.2  # seconds between looks at the stop flag while no batch is started

    def __init__(self, settings: IngestionSettings) -> None:
        self.settings = settings
        self.first: float | None = None
        self.last = 0.0

    def arrived(self) -> None:
        self.last = time.monotonic()
        if self.first is None:
            self.first = self.last

    def timeout(self) -> float:
        """How long to wait for the next message; 0 when the batch is complete by time."""
        if self.first is None:
            return self.POLL
        complete_at = min(self.first + self.settings.batch_wait_seconds, self.last + self.settings.batch_idle_seconds)
        return max(0.0, complete_at - time.monotonic())


def _in_flight(settings: IngestionSettings) -> int:
    """Unacknowledged messages the broker may hand over at once: two batches, so the next one arrives
    while this one is applied (capped at what MQTT's receive maximum and AMQP's prefetch can say)."""
    return min(2 * settings.batch_max, 65535)


def _collect(source: queue.Queue[Delivery], settings: IngestionSettings) -> list[Delivery]:
    batch: list[Delivery] = []
    filling = _Filling(settings)
    while len(batch) < settings.batch_max:
        try:
            batch.append(source.get(timeout=filling.timeout()))
        except queue.Empty:
            break  # the batch is complete by time, or nothing for a moment (the caller checks stop and idleness)
        filling.arrived()
    return batch


def consume_mqtt(applier: Applier, settings: IngestionSettings, stop: Stop, idle_exit: float | None = None) -> None:
    """Subscribe with QoS 1 in a persistent session (MQTT 5, no session expiry while the broker runs),
    acknowledge each message by hand after its batch committed."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    received: queue.Queue[Delivery] = queue.Queue()
    connected = threading.Event()

    def on_connect(client: Any, _userdata: Any, _flags: Any, reason: Any, _properties: Any) -> None:
        if reason.is_failure:
            log.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(settings.mqtt_topic, qos=1)
        connected.set()

    def on_message(_client: Any, _userdata: Any, message: Any) -> None:
        received.put(Delivery(message, bytes(message.payload)))

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=settings.mqtt_client_id,
                         protocol=mqtt.MQTTv5, manual_ack=True)
    if settings.mqtt_username:
        client.username_pw_set(settings.mqtt_username, settings.mqtt_password)
    client.on_connect = on_connect
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0xFFFFFFFF  # the broker keeps the session (and unacked messages)
    properties.ReceiveMaximum = _in_flight(settings)  # unacknowledged messages in flight to us at once
    client.connect(settings.mqtt_host, settings.mqtt_port, clean_start=False, properties=properties)
    client.loop_start()
    after_commit = _crash_hook()
    idle_since = time.monotonic()
    try:
        while not stop.event.is_set():
            batch = _collect(received, settings)
            if not batch:
                if idle_exit is not None and connected.is_set() and time.monotonic() - idle_since > idle_exit:
                    break
                continue
            applier.apply(batch)  # commits, or raises (database gone): then nothing is acknowledged
            after_commit()
            # MQTT has no cumulative acknowledgement: one PUBACK per message, in the order received.
            for delivery in batch:
                client.ack(delivery.tag.mid, delivery.tag.qos)
            idle_since = time.monotonic()
    finally:
        client.disconnect()
        client.loop_stop()


def consume_amqp(applier: Applier, settings: IngestionSettings, stop: Stop, idle_exit: float | None = None) -> None:
    """Consume a durable queue with manual acknowledgement (prefetch: two batches); after the batch's
    commit, reject its refused messages without requeue and acknowledge the rest with one basic_ack."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    channel = connection.channel()
    channel.queue_declare(queue=settings.amqp_queue, durable=True)
    channel.basic_qos(prefetch_count=_in_flight(settings))
    after_commit = _crash_hook()
    idle_since = time.monotonic()
    try:
        while not stop.event.is_set():
            batch: list[Delivery] = []
            filling = _Filling(settings)
            while len(batch) < settings.batch_max and not stop.event.is_set():
                # pika reads 0 as "no limit": a complete batch still looks once, a millisecond.
                wait = max(0.001, filling.timeout())
                # A generator per wait (each its own timeout); pika keeps the one consumer behind them.
                method, properties, body = next(channel.consume(settings.amqp_queue, inactivity_timeout=wait))
                if method is None:
                    if batch:
                        break
                    if idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                        return
                    continue
                batch.append(Delivery(method.delivery_tag, body, getattr(properties, "message_id", None)))
                filling.arrived()
            if not batch:
                continue
            refused = applier.apply(batch)  # commits, or raises (database gone): then nothing is acknowledged
            after_commit()
            # The refused are rejected one by one first; then one acknowledgement settles every other
            # message of the batch (tags grow along a channel; `multiple` skips those already settled).
            for delivery, was_refused in zip(batch, refused, strict=True):
                if was_refused:
                    channel.basic_nack(delivery_tag=delivery.tag, requeue=False)
            applied = [d.tag for d, was_refused in zip(batch, refused, strict=True) if not was_refused]
            if applied:
                channel.basic_ack(delivery_tag=max(applied), multiple=True)
            idle_since = time.monotonic()
    finally:
        try:
            channel.cancel()
            connection.close()
        except Exception:  # noqa: BLE001 - closing a connection the broker already dropped
            pass

