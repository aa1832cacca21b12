"""`casegrid send-message` and `casegrid post-event`: JSON out, one-line errors, exit codes."""
from __future__ import annotations

import json


def test_send_message_by_business_key_and_post_event_from_the_shell(cli_after_init):
    cli = cli_after_init
    alarm = {"title": "燃气泄漏", "incident_type": "gas_leak", "casualties": 0, "people_affected": 1,
             "location_class": "residential", "location": "翠竹路1号"}
    started = json.loads(cli("start", "emergency_linkage", "--data", json.dumps(alarm), "--json").stdout)
    key = started["business_key"]
    sent = cli("send-message", "agency_acknowledged", "--case", key, "--data", '{"agency": "gas"}', "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)[0]["business_key"] == key
    nobody = cli("send-message", "agency_departed", "--case", key)
    assert nobody.returncode != 0 and nobody.stderr.count("\n") == 1 and "no_waiting_case" in nobody.stderr
    unaddressed = cli("send-message", "agency_arrived", "--data", '{"agency": "gas"}')
    assert unaddressed.returncode != 0 and "address the message" in unaddressed.stderr
    reading = json.dumps({"sensor_id": "WL-1", "kind": "water_level", "value": 0.9, "location": "隧道"})
    posted = cli("post-event", "sensor.reading", "--data", reading, "--json")
    # Rule windows live in the posting process (docs/families.md): one reading from a shell fires nothing.
    assert posted.returncode == 0 and json.loads(posted.stdout) == []
    bad = cli("post-event", "sensor.reading", "--data", "[1]")
    assert bad.returncode != 0 and bad.stderr.startswith("error: invalid event")
