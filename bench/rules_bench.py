"""Events per second through casegrid's event layer next to durable-rules' bare `post`, in one run.

Measured, each against the bare baseline of the same run (ratio = layer / bare):

* **single**: ``engine.rules.adapter.DurableRules.evaluate`` over the three shipped rule sets, one
  transaction per event (group keys, durable-rules matching, windows/streaks/memory/cooldowns read from
  and written to ``event_rule_state``), without the actions' engine operations (the runtime benchmark
  measures those);
* **batch**: the same events in batches of BATCH (1,000) per transaction (``DurableRules.batch``); and
  the same with every event's values distinct (sensor readings with unique values), where remembering
  durable-rules' answers cannot help;
* **batch command**: ``ingest_event_batch``, the whole path of POST /api/v1/events/batch without HTTP
  (authority, idempotency keys stored in ``ingested_events``, actions run, one audit row per batch);
* **consumers**: ``casegrid events consume`` in-process against the Mosquitto (127.0.0.1:1883) and
  RabbitMQ (127.0.0.1:5672) of the machine, timed from the consumer's start on messages already
  queued for it until the last is committed (MQTT in rounds of 900: Mosquitto queues at most 1,000
  for an absent client by default); skipped, with the reason, when a port is closed.

``CASEGRID_BENCH_RULES_ONLY=consumers`` runs only the bare baseline, the batch command and the consumers
(``CASEGRID_BENCH_CONSUMER_EVENTS`` events each, default 3,000): a short run after a consumer change.

Each runs on a fresh migrated SQLite file, and the layer also on PostgreSQL when CASEGRID_BENCH_PG_URL
names an empty, migrated database (its event_rule_state is emptied before each measure). The baseline
posts the same number of events to a one-rule durable-rules ruleset with no adapter at all.
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from durable.engine import Host, MessageNotHandledException
from sqlalchemy import delete

from bench.history import scratch_database
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_root
from engine.events.loading import rulesets_from_files
from engine.rules.adapter import DurableRules
from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models.rules import EventRuleState

EVENTS = 20_000
SINGLE_EVENTS = 2_000  # one transaction each: fewer, or the single path alone takes minutes
BATCH = 1_000
CONSUMER_EVENTS = int(os.environ.get("CASEGRID_BENCH_CONSUMER_EVENTS") or 3_000)

Event = tuple[str, dict[str, object], datetime]


class _Bare(Host):
    def _run(self) -> None:
        return None


def _events(n: int) -> list[Event]:
    start = datetime(2026, 11, 24, tzinfo=UTC)
    out: list[Event] = []
    for i in range(n):
        at = start + timedelta(seconds=30 * i)
        if i % 5 == 4:
            out.append(("sensor.reading", {"sensor_id": f"WL-{i % 4}", "kind": "water_level",
                                           "value": 0.3 + (i % 7) / 10}, at))
        else:
            out.append(("case.reported", {"subcategory": f"01{i % 20:02d}", "grid_cell": f"S0{i % 5 + 1}C01G01",
                                          "place": f"place {i % 9}"}, at))
    return out


def _distinct(n: int) -> list[Event]:
    """Sensor readings whose values never repeat: durable-rules is asked about every one."""
    start = datetime(2026, 11, 24, tzinfo=UTC)
    return [("sensor.reading", {"sensor_id": f"WL-{i % 50}", "kind": "water_level", "value": 0.1 + i * 1e-7},
             start + timedelta(seconds=30 * i)) for i in range(n)]


def bare_rate(n: int) -> float:
    host = _Bare()
    host.register_rulesets({"bare": {"r": {"all": [{"m": {"type": "case.reported"}}], "run": lambda c: None}}})
    begin = time.perf_counter()
    for i in range(n):
        try:
            host.post("bare", {"id": i, "sid": "s", "type": "case.reported" if i % 5 else "sensor.reading"})
        except MessageNotHandledException:
            pass
    return n / (time.perf_counter() - begin)


def _rulesets() -> tuple[Any, ...]:
    return rulesets_from_files(load_root(PROJECT_ROOT).files)


def _empty_state(database: Database) -> None:
    with database.transaction() as session:
        session.execute(delete(EventRuleState))


def layer_rate(url: str, events: list[Event], batch: int | None) -> tuple[float, int]:
    """Events/s and rule firings; ``batch`` None is one transaction per event."""
    rulesets, rules, database = _rulesets(), DurableRules(), Database(url)
    _empty_state(database)
    fired = 0
    try:
        begin = time.perf_counter()
        if batch is None:
            for event_type, payload, at in events:
                with database.transaction() as session:
                    for ruleset in rulesets:
                        fired += len(rules.evaluate(session, ruleset, event_type, payload, at))
        else:
            for start in range(0, len(events), batch):
                chunk = events[start:start + batch]
                with database.transaction() as session, rules.batch(session):
                    rules.prepare(session, rulesets, chunk)
                    for event_type, payload, at in chunk:
                        for ruleset in rulesets:
                            fired += len(rules.evaluate(session, ruleset, event_type, payload, at))
        elapsed = time.perf_counter() - begin
    finally:
        database.dispose()
    return len(events) / elapsed, fired


def _deployed(folder: str, name: str) -> Database:
    from engine.definitions.service import deploy
    from engine.org.config import organisation_from_files
    from engine.org.service import load_organisation

    url = f"sqlite:///{Path(folder) / name}"
    upgrade(url)
    database = Database(url)
    bundle = load_root(PROJECT_ROOT)
    with database.transaction() as session:
        load_organisation(session, organisation_from_files(bundle.files))
        deploy(session, bundle, actor="bench")
    return database


def _readings(n: int, run: str) -> list[dict[str, Any]]:
    start = datetime(2026, 11, 24, tzinfo=UTC)
    return [{"id": f"{run}-{i}", "type": "sensor.reading", "source": "bench",
             "occurred_at": (start + timedelta(seconds=30 * i)).isoformat(),
             "payload": {"sensor_id": f"WL-{i % 40}", "kind": "water_level", "value": round(0.05 + (i % 97) / 250, 4),
                         "grid_cell": "S05C02G01", "location": "bench"}} for i in range(n)]


def command_rate(folder: str) -> float:
    from engine.commands.events import ingest_event_batch
    from engine.org.service import actor_for

    database = _deployed(folder, "command.sqlite3")
    bodies = _readings(EVENTS // 2, "cmd")
    try:
        begin = time.perf_counter()
        for start in range(0, len(bodies), BATCH):
            with database.transaction() as session:
                ingest_event_batch(session, actor_for(session, "gauge_gateway"), bodies[start:start + BATCH])
        return len(bodies) / (time.perf_counter() - begin)
    finally:
        database.dispose()


def _open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def consumer_rate(folder: str, broker: str) -> float | str:
    """Events/s of a consumer on messages queued for it, until the last is committed."""
    from engine.app.event_consumers import Applier, Stop, consume_amqp
    from engine.events.settings import ingestion_settings

    port = 1883 if broker == "mqtt" else 5672
    if not _open(port):
        return f"skipped: nothing listens on 127.0.0.1:{port}"
    run = uuid.uuid4().hex[:8]
    env = {"CASEGRID_MQTT_TOPIC": f"casegrid-bench/{run}/#", "CASEGRID_MQTT_CLIENT_ID": f"casegrid-bench-{run}",
           "CASEGRID_AMQP_QUEUE": f"casegrid-bench-{run}", "CASEGRID_EVENTS_BATCH_WAIT": "0.2"}
    settings = ingestion_settings({**os.environ, **env})
    database = _deployed(folder, f"{broker}.sqlite3")
    bodies = [json.dumps(b, ensure_ascii=False).encode() for b in _readings(CONSUMER_EVENTS, run)]
    applier = Applier(database, "gauge_gateway")
    try:
        if broker == "mqtt":
            return _mqtt_rounds(applier, settings, bodies)
        # The queue is filled first; the clock starts with the consumer.
        _publish_amqp(settings, bodies)
        stop = Stop()
        thread = threading.Thread(target=consume_amqp, args=(applier, settings, stop), daemon=True)
        begin = time.perf_counter()
        thread.start()
        if not _until(applier, CONSUMER_EVENTS, thread):
            return "failed: the consumer stopped"
        elapsed = time.perf_counter() - begin
        stop.event.set()
        thread.join(10)
        return CONSUMER_EVENTS / elapsed
    finally:
        database.dispose()
        if broker == "mqtt":
            _end_mqtt_session(settings)
        if broker == "amqp":
            import pika
            connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
            connection.channel().queue_delete(queue=settings.amqp_queue)
            connection.close()


def _until(applier: Any, count: int, thread: threading.Thread) -> bool:
    while applier.applied + applier.duplicates + applier.refused < count:
        time.sleep(0.005)
        if not thread.is_alive():
            return False
    return True


MQTT_ROUND = 900  # Mosquitto queues at most 1,000 messages for a session whose client is away (default)


def _mqtt_rounds(applier: Any, settings: Any, bodies: list[bytes]) -> float | str:
    """The consumer's persistent session exists; each round, MQTT_ROUND messages are queued for it while
    it is away, then it is started and timed until it has committed them all."""
    from engine.app.event_consumers import Stop, consume_mqtt

    elapsed, done = 0.0, 0
    for start in range(-1, len(bodies), MQTT_ROUND):
        chunk = bodies[start:start + MQTT_ROUND] if start >= 0 else []
        if chunk:
            _publish_mqtt(settings, chunk)
        stop = Stop()
        thread = threading.Thread(target=consume_mqtt, args=(applier, settings, stop), daemon=True)
        begin = time.perf_counter()
        thread.start()
        done += len(chunk)
        if not chunk:
            time.sleep(1.0)  # the first run only makes the session and its subscription
        elif not _until(applier, done, thread):
            return "failed: the consumer stopped"
        elapsed += time.perf_counter() - begin if chunk else 0.0
        stop.event.set()
        thread.join(10)
    return done / elapsed


def _end_mqtt_session(settings: Any) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=settings.mqtt_client_id, protocol=mqtt.MQTTv5)
    client.connect(settings.mqtt_host, settings.mqtt_port, clean_start=True)
    client.disconnect()


def _publish_mqtt(settings: Any, bodies: list[bytes]) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(settings.mqtt_host, settings.mqtt_port)
    client.loop_start()
    topic = settings.mqtt_topic.rstrip("#") + "readings"
    infos = [client.publish(topic, body, qos=1) for body in bodies]
    for info in infos:
        info.wait_for_publish(30)
    client.disconnect()
    client.loop_stop()


def _publish_amqp(settings: Any, bodies: list[bytes]) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    channel = connection.channel()
    channel.queue_declare(queue=settings.amqp_queue, durable=True)
    for body in bodies:
        channel.basic_publish("", settings.amqp_queue, body, pika.BasicProperties(delivery_mode=2))
    connection.close()


def _line(label: str, rate: float | str, bare: float) -> None:
    if isinstance(rate, str):
        print(f"{label:44}: {rate}")
    else:
        print(f"{label:44}: {rate:10,.0f} events/s   {rate / bare:6.2f} of bare (1/{bare / rate:.1f})")


def main() -> None:
    bare = bare_rate(EVENTS)
    print(f"{'durable-rules bare post':44}: {bare:10,.0f} events/s")
    if os.environ.get("CASEGRID_BENCH_RULES_ONLY") == "consumers":
        with tempfile.TemporaryDirectory() as folder:
            _consumers(folder, bare)
        return
    with tempfile.TemporaryDirectory() as folder, ExitStack() as scratch:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        targets = [("SQLite", url)]
        if os.environ.get("CASEGRID_BENCH_PG_URL"):
            # A database of its own, created, migrated and dropped here: the URL names a server, not a
            # casegrid database (as for the other PostgreSQL benchmarks).
            pg = scratch.enter_context(scratch_database(os.environ["CASEGRID_BENCH_PG_URL"], "casegrid_bench_rules"))
            targets.append(("PostgreSQL", pg.url))
        for label, target in targets:
            single, _ = layer_rate(target, _events(SINGLE_EVENTS), None)
            _line(f"rules layer, {label}, single events", single, bare)
            batched, fired = layer_rate(target, _events(EVENTS), BATCH)
            _line(f"rules layer, {label}, batches of {BATCH:,}", batched, bare)
            distinct, _ = layer_rate(target, _distinct(EVENTS), BATCH)
            _line(f"rules layer, {label}, batches, all values distinct", distinct, bare)
            print(f"{'':44}  ({fired} rule firings in the batched run, 3 rule sets)")
        _consumers(folder, bare)


def _consumers(folder: str, bare: float) -> None:
    _line(f"batch command (POST …/batch path), SQLite, {BATCH:,}", command_rate(folder), bare)
    for broker in ("mqtt", "amqp"):
        _line(f"consumer {broker.upper()} → SQLite, batches ≤ {BATCH:,}", consumer_rate(folder, broker), bare)


if __name__ == "__main__":
    main()
