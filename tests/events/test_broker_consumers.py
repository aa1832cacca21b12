"""`casegrid events consume` against the real Mosquitto (127.0.0.1:1883) and RabbitMQ (127.0.0.1:5672) of the
machine: every published event is applied exactly once, though the consumer dies after a commit before it
acknowledged, and is killed (SIGKILL) in the middle of the stream. Skipped, with the reason, when a broker's
port is closed."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.config import PROJECT_ROOT
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.rules import IngestedEvent

SENSORS = 4
PER_SENSOR = 60
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def readings() -> list[dict]:
    """Four gauges, a reading a minute each; three high readings in a row once per gauge: four emergencies."""
    out = []
    for i in range(PER_SENSOR):
        for s in range(SENSORS):
            out.append({"id": f"WL-{s}-{i}", "type": "sensor.reading", "source": "gauges",
                        "occurred_at": (T0 + timedelta(minutes=i)).isoformat(),
                        "payload": {"sensor_id": f"WL-{s}", "kind": "water_level", "location": "人民南路隧道",
                                    "grid_cell": "S05C02G01", "value": 0.9 if 20 <= i < 23 else 0.2}})
    return out


def _env(deployed_db, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CASEGRID_DATABASE_URL": deployed_db.url, "CASEGRID_INSTANCE_DIR": str(tmp_path / "inst"),
            "CASEGRID_EVENTS_ACCOUNT": "gauge_gateway", "CASEGRID_EVENTS_BATCH_MAX": "40",
            "CASEGRID_EVENTS_BATCH_WAIT": "0.2", **extra}


def _consume(env: dict[str, str], broker: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "engine.app.cli", "events", "consume", "--broker", broker, *args],
                            env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _applied(deployed_db) -> int:
    with deployed_db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(IngestedEvent))


def _kill_midway(deployed_db, env: dict[str, str], broker: str) -> None:
    """Start a consumer and SIGKILL it as soon as a batch has committed, before the stream is through."""
    before = _applied(deployed_db)
    process = _consume(env, broker)
    deadline = time.monotonic() + 120
    while _applied(deployed_db) == before and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(30)


def _run_to_the_end(env: dict[str, str], broker: str) -> str:
    process = _consume(env, broker, "--exit-when-idle", "4")
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    return out


def _assert_exactly_once(deployed_db, events: list[dict]) -> None:
    with deployed_db.transaction(readonly=True) as session:
        keys = list(session.scalars(select(IngestedEvent.idempotency_key)))
        applied = sum(a.details["applied"] for a in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "events_posted")))
        emergencies = session.scalar(select(func.count()).select_from(Case)
                                     .where(Case.process_key == "emergency_linkage"))
        opened_by = set(session.scalars(select(Case.opened_by).where(Case.process_key == "emergency_linkage")))
    assert sorted(keys) == sorted(f"gauge_gateway:{e['id']}" for e in events)  # each event stored once
    assert applied == len(events)  # and applied once: no batch applied an event a second time
    assert emergencies == SENSORS and opened_by == {"rules (for gauge_gateway)"}


def test_mqtt_events_are_applied_exactly_once_across_a_crash_after_commit_and_a_kill(deployed_db, tmp_path):
    if not _port_open(1883):
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (Mosquitto); the MQTT consumer is not tested")
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    run = uuid.uuid4().hex[:10]
    topic, client_id = f"casegrid-test/{run}/events", f"casegrid-test-{run}"
    env = _env(deployed_db, tmp_path, CASEGRID_MQTT_TOPIC=f"casegrid-test/{run}/#", CASEGRID_MQTT_CLIENT_ID=client_id)
    # The consumer's persistent session exists before anything is published: the broker queues for it.
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 600
    subscriber.connect("127.0.0.1", 1883, clean_start=True, properties=properties)
    subscriber.loop_start()
    subscriber.subscribe(f"casegrid-test/{run}/#", qos=1)[1]
    time.sleep(0.5)
    subscriber.disconnect()
    subscriber.loop_stop()

    events = readings()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()
    for event in events:
        publisher.publish(topic, json.dumps(event, ensure_ascii=False), qos=1).wait_for_publish(10)
    publisher.disconnect()
    publisher.loop_stop()

    crashed = _consume({**env, "CASEGRID_EVENTS_CRASH_AFTER_COMMITS": "2"}, "mqtt")
    crashed.communicate(timeout=300)
    assert crashed.returncode == 17  # died after its second commit, acknowledging nothing of that batch
    assert 0 < _applied(deployed_db) < len(events)
    _kill_midway(deployed_db, env, "mqtt")
    out = _run_to_the_end(env, "mqtt")
    assert "refused 0" in out
    _assert_exactly_once(deployed_db, events)
    # Tidy the broker: end the persistent session.
    cleaner = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    cleaner.connect("127.0.0.1", 1883, clean_start=True)
    cleaner.disconnect()


def test_amqp_events_are_applied_exactly_once_across_a_crash_after_commit_and_a_kill(deployed_db, tmp_path):
    if not _port_open(5672):
        pytest.skip("no AMQP broker on 127.0.0.1:5672 (RabbitMQ); the AMQP consumer is not tested")
    import pika

    queue = f"casegrid-test-{uuid.uuid4().hex[:10]}"
    env = _env(deployed_db, tmp_path, CASEGRID_AMQP_QUEUE=queue)
    connection = pika.BlockingConnection(pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/%2F"))
    channel = connection.channel()
    channel.queue_declare(queue=queue, durable=True)
    events = readings()
    try:
        for event in events:
            # The id travels as the message id here, as AMQP publishers usually set it.
            body = {k: v for k, v in event.items() if k != "id"}
            channel.basic_publish("", queue, json.dumps(body, ensure_ascii=False).encode(),
                                  pika.BasicProperties(delivery_mode=2, message_id=event["id"]))
        channel.basic_publish("", queue, b"{not json", pika.BasicProperties(delivery_mode=2, message_id="junk"))
        crashed = _consume({**env, "CASEGRID_EVENTS_CRASH_AFTER_COMMITS": "2"}, "amqp")
        crashed.communicate(timeout=300)
        assert crashed.returncode == 17
        assert 0 < _applied(deployed_db) < len(events)
        _kill_midway(deployed_db, env, "amqp")
        _run_to_the_end(env, "amqp")
        _assert_exactly_once(deployed_db, events)
        with deployed_db.transaction(readonly=True) as session:  # the message that is not JSON: refused
            assert sum(a.details["refused"] for a in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "events_posted"))) >= 1
        assert channel.queue_declare(queue=queue, durable=True, passive=True).method.message_count == 0
    finally:
        channel.queue_delete(queue=queue)
        connection.close()
