"""The broker consumers apply what they take in batches — several messages, one transaction — and
acknowledge only after that transaction committed; a batch that fails to commit acknowledges nothing,
and one event that breaks its batch is refused alone while the rest commit. Against the real Mosquitto
(127.0.0.1:1883) and RabbitMQ (127.0.0.1:5672); each test skips, saying why, when its broker is absent."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from engine.app import event_consumers
from engine.app.event_consumers import Applier, Stop, consume_amqp, consume_mqtt
from engine.errors import Conflict
from engine.events.settings import IngestionSettings, ingestion_settings
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.rules import IngestedEvent

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def reading(event_id: str, value: float = 0.2) -> bytes:
    return json.dumps({"id": event_id, "type": "sensor.reading", "source": "gauges",
                       "occurred_at": datetime.now(UTC).isoformat(),
                       "payload": {"sensor_id": "WL-1", "kind": "water_level", "value": value,
                                   "grid_cell": "S05C02G01"}}).encode()


def settings_for(run: str) -> IngestionSettings:
    # A batch waits long enough that messages already queued all land in the first one.
    return ingestion_settings({**os.environ, "CASEGRID_AMQP_QUEUE": f"casegrid-test-{run}",
                               "CASEGRID_MQTT_TOPIC": f"casegrid-test/{run}/#",
                               "CASEGRID_MQTT_CLIENT_ID": f"casegrid-test-{run}",
                               "CASEGRID_EVENTS_BATCH_WAIT": "2", "CASEGRID_EVENTS_BATCH_IDLE": "0.5"})


@pytest.fixture
def journal(deployed_db: Database) -> Iterator[list[Any]]:
    """Commits of the database and the consumer's acknowledgements, in the order they happened."""
    entries: list[Any] = []

    def committed(_connection: Any) -> None:
        entries.append("commit")

    event.listen(deployed_db.engine, "commit", committed)
    yield entries
    event.remove(deployed_db.engine, "commit", committed)


def applier(db: Database, journal: list[Any]) -> Applier:
    made = Applier(db, "gauge_gateway")
    journal.clear()  # the account check at start is a transaction of its own
    return made


def stored(db: Database) -> list[str]:
    with db.transaction(readonly=True) as session:
        return sorted(k.split(":", 1)[1] for k in session.scalars(select(IngestedEvent.idempotency_key)))


def batch_rows(db: Database) -> list[dict[str, Any]]:
    with db.transaction(readonly=True) as session:
        return [a.details for a in session.scalars(select(AuditEvent).where(AuditEvent.action == "events_posted")
                                                   .order_by(AuditEvent.id))]


# --- AMQP --------------------------------------------------------------------------------------------

@pytest.fixture
def amqp_queue() -> Iterator[tuple[Any, IngestionSettings]]:
    if not _port_open(5672):
        pytest.skip("no AMQP broker on 127.0.0.1:5672 (RabbitMQ); the AMQP consumer is not tested")
    import pika

    settings = settings_for(uuid.uuid4().hex[:10])
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=settings.amqp_queue, durable=True)
    yield channel, settings
    channel.queue_delete(queue=settings.amqp_queue)
    connection.close()


def publish_amqp(channel: Any, settings: IngestionSettings, *bodies: bytes) -> None:
    import pika

    for body in bodies:
        channel.basic_publish("", settings.amqp_queue, body, pika.BasicProperties(delivery_mode=2))


@pytest.fixture
def amqp_settlements(monkeypatch: pytest.MonkeyPatch, journal: list[Any]) -> list[Any]:
    from pika.adapters.blocking_connection import BlockingChannel

    ack, nack = BlockingChannel.basic_ack, BlockingChannel.basic_nack

    def logged_ack(self: Any, delivery_tag: int = 0, multiple: bool = False) -> None:
        journal.append(("ack", delivery_tag, multiple))
        ack(self, delivery_tag=delivery_tag, multiple=multiple)

    def logged_nack(self: Any, delivery_tag: int = 0, multiple: bool = False, requeue: bool = True) -> None:
        journal.append(("nack", delivery_tag, requeue))
        nack(self, delivery_tag=delivery_tag, multiple=multiple, requeue=requeue)

    monkeypatch.setattr(BlockingChannel, "basic_ack", logged_ack)
    monkeypatch.setattr(BlockingChannel, "basic_nack", logged_nack)
    return journal


def ready(channel: Any, settings: IngestionSettings, expected: int) -> int:
    """Messages ready on the queue, once it settles at ``expected`` (returned messages come back async)."""
    deadline = time.monotonic() + 10
    while True:
        count = channel.queue_declare(queue=settings.amqp_queue, durable=True, passive=True).method.message_count
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.1)


def test_amqp_two_messages_are_one_transaction_and_acknowledged_together_after_its_commit(
        deployed_db, amqp_queue, amqp_settlements):
    channel, settings = amqp_queue
    publish_amqp(channel, settings, reading("A-1"), reading("A-2"))
    consume_amqp(applier(deployed_db, amqp_settlements), settings, Stop(), idle_exit=1.0)
    assert amqp_settlements == ["commit", ("ack", 2, True)]  # one commit, then one ack for both
    assert stored(deployed_db) == ["A-1", "A-2"]
    assert [(row["applied"], row["refused"]) for row in batch_rows(deployed_db)] == [(2, 0)]
    assert ready(channel, settings, 0) == 0


def test_amqp_a_batch_whose_commit_fails_acknowledges_nothing_and_is_delivered_again(
        deployed_db, amqp_queue, amqp_settlements, monkeypatch):
    channel, settings = amqp_queue
    publish_amqp(channel, settings, reading("B-1"), reading("B-2"))
    consumer = applier(deployed_db, amqp_settlements)

    def database_gone(_bodies: list[Any]) -> Any:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(consumer, "_once", database_gone)
    with pytest.raises(OperationalError):
        consume_amqp(consumer, settings, Stop(), idle_exit=1.0)
    assert amqp_settlements == []  # neither acknowledged nor rejected
    assert stored(deployed_db) == []
    assert ready(channel, settings, 2) == 2  # back on the queue for the next consumer
    consume_amqp(applier(deployed_db, amqp_settlements), settings, Stop(), idle_exit=1.0)
    assert stored(deployed_db) == ["B-1", "B-2"]


def test_amqp_an_event_that_breaks_its_batch_is_refused_alone_and_the_others_commit(
        deployed_db, amqp_queue, amqp_settlements, monkeypatch):
    channel, settings = amqp_queue
    publish_amqp(channel, settings, reading("C-1"), reading("C-poison"), reading("C-3"), b"{not json")
    real = event_consumers.ingest_event_batch

    def poisoned(session: Any, actor: Any, bodies: list[Any], **kwargs: Any) -> Any:
        # An action that keeps meeting a concurrent change: fails every transaction it is part of.
        if any(isinstance(b, dict) and b.get("id") == "C-poison" for b in bodies):
            raise Conflict("the case changed meanwhile")
        return real(session, actor, bodies, **kwargs)

    monkeypatch.setattr(event_consumers, "ingest_event_batch", poisoned)
    consume_amqp(applier(deployed_db, amqp_settlements), settings, Stop(), idle_exit=1.0)
    settled = list(amqp_settlements)  # before the checks below add their own (read-only) commits
    assert stored(deployed_db) == ["C-1", "C-3"]
    # The batch rolled back; its events went one by one (a commit each but the poison's, rolled back);
    # only then were the poison and the junk rejected (dead-lettered, no requeue) and the rest acknowledged.
    assert settled == ["commit", "commit", "commit", ("nack", 2, False), ("nack", 4, False),
                                ("ack", 3, True)]
    assert ready(channel, settings, 0) == 0


def test_amqp_a_batch_commits_once_the_stream_pauses_not_after_the_whole_wait(
        deployed_db, amqp_queue, amqp_settlements):
    channel, settings = amqp_queue
    settings = replace(settings, batch_wait_seconds=30.0, batch_idle_seconds=0.2)
    publish_amqp(channel, settings, reading("D-1"), reading("D-2"))
    stop = Stop()
    consumer = threading.Thread(target=consume_amqp, args=(applier(deployed_db, amqp_settlements), settings, stop),
                                daemon=True)
    started = time.monotonic()
    consumer.start()
    try:
        while ("ack", 2, True) not in amqp_settlements and time.monotonic() - started < 20:
            time.sleep(0.02)
        took = time.monotonic() - started
    finally:
        stop.event.set()
        consumer.join(10)
    assert amqp_settlements[:2] == ["commit", ("ack", 2, True)]
    assert took < 10  # not the 30 s of CASEGRID_EVENTS_BATCH_WAIT: nothing more came for 0.2 s


@pytest.mark.parametrize("name, value", [("CASEGRID_EVENTS_BATCH_IDLE", "-1"), ("CASEGRID_EVENTS_BATCH_WAIT", "soon"),
                                         ("CASEGRID_EVENTS_BATCH_WAIT", "600"), ("CASEGRID_EVENTS_BATCH_MAX", "0")])
def test_a_wrong_batch_setting_is_refused_naming_it(name, value):
    with pytest.raises(ValueError, match=name):
        ingestion_settings({name: value})


def test_batch_settings_default_to_a_thousand_half_a_second_and_a_twentieth():
    defaults = ingestion_settings({})
    assert (defaults.batch_max, defaults.batch_wait_seconds, defaults.batch_idle_seconds) == (1000, 0.5, 0.05)


# --- MQTT --------------------------------------------------------------------------------------------

@pytest.fixture
def mqtt_session() -> Iterator[IngestionSettings]:
    if not _port_open(1883):
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (Mosquitto); the MQTT consumer is not tested")
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    settings = settings_for(uuid.uuid4().hex[:10])
    # The consumer's persistent session exists before anything is published: the broker queues for it.
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=settings.mqtt_client_id,
                             protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 600
    subscriber.connect("127.0.0.1", 1883, clean_start=True, properties=properties)
    subscriber.loop_start()
    subscriber.subscribe(settings.mqtt_topic, qos=1)
    time.sleep(0.5)
    subscriber.disconnect()
    subscriber.loop_stop()
    yield settings
    cleaner = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=settings.mqtt_client_id, protocol=mqtt.MQTTv5)
    cleaner.connect("127.0.0.1", 1883, clean_start=True)
    cleaner.disconnect()


def publish_mqtt(settings: IngestionSettings, *bodies: bytes) -> None:
    import paho.mqtt.client as mqtt

    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()
    for body in bodies:
        publisher.publish(settings.mqtt_topic.rstrip("#") + "readings", body, qos=1).wait_for_publish(10)
    publisher.disconnect()
    publisher.loop_stop()


@pytest.fixture
def mqtt_acks(monkeypatch: pytest.MonkeyPatch, journal: list[Any]) -> list[Any]:
    import paho.mqtt.client as mqtt

    ack = mqtt.Client.ack

    def logged_ack(self: Any, mid: int, qos: int) -> Any:
        journal.append(("ack", mid))
        return ack(self, mid, qos)

    monkeypatch.setattr(mqtt.Client, "ack", logged_ack)
    return journal


def run_mqtt(consumer: Applier, settings: IngestionSettings) -> None:
    """Until idle; in a thread, as `casegrid events consume` runs it beside paho's network thread."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            consume_mqtt(consumer, settings, Stop(), idle_exit=1.5)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


def test_mqtt_two_messages_are_one_transaction_and_acknowledged_only_after_its_commit(
        deployed_db, mqtt_session, mqtt_acks):
    publish_mqtt(mqtt_session, reading("M-1"), reading("M-2"))
    run_mqtt(applier(deployed_db, mqtt_acks), mqtt_session)
    assert mqtt_acks[0] == "commit" and [entry[0] for entry in mqtt_acks[1:]] == ["ack", "ack"]
    assert stored(deployed_db) == ["M-1", "M-2"]
    assert [row["applied"] for row in batch_rows(deployed_db)] == [2]


def test_mqtt_a_batch_whose_commit_fails_acknowledges_nothing_and_is_delivered_again(
        deployed_db, mqtt_session, mqtt_acks, monkeypatch):
    publish_mqtt(mqtt_session, reading("N-1"), reading("N-2"))
    consumer = applier(deployed_db, mqtt_acks)

    def database_gone(_bodies: list[Any]) -> Any:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(consumer, "_once", database_gone)
    with pytest.raises(OperationalError):
        run_mqtt(consumer, mqtt_session)
    assert mqtt_acks == [] and stored(deployed_db) == []
    run_mqtt(applier(deployed_db, mqtt_acks), mqtt_session)  # the broker delivers both again
    assert stored(deployed_db) == ["N-1", "N-2"]
    assert [row["applied"] for row in batch_rows(deployed_db)] == [2]
