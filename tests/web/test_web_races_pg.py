"""The API under concurrent clients on PostgreSQL: reports of one group racing the hot-spot rule, and
dispatchers claiming one task at once, answer 201/200 or 409 — never 500."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from webtools import bearer

from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from tests.conftest import deploy_bundled
from tests.social_event.helpers import REPORT
from web import create_app

CLIENTS = 8
DISPATCHERS = ("dispatcher1", "dispatcher2", "dispatcher3")


@pytest.fixture
def pg_app(pg_db: Database, tmp_path: Path) -> Iterator[Flask]:
    deploy_bundled(pg_db)
    app = create_app({"DATABASE_URL": pg_db.url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    yield app
    app.extensions["casegrid_db"].dispose()


def _together(requests: list) -> list:
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        responses[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def test_postgresql_eight_clients_reporting_one_group_at_once_get_no_500_and_every_201_is_kept(pg_app, pg_db):
    headers = bearer(pg_db, "hotline1")

    def report(n: int):
        client = pg_app.test_client()
        body = {"process_key": "social_event", "data": {**REPORT, "title": f"湖贝路口暴露垃圾（第{n}次上报）"}}
        return lambda: client.post("/api/v1/cases", json=body, headers=headers)

    responses = _together([report(n) for n in range(CLIENTS)])
    assert {r.status_code for r in responses} <= {201, 409}, [r.get_data(as_text=True) for r in responses]
    created = [r.get_json()["id"] for r in responses if r.status_code == 201]
    with pg_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case).where(Case.id.in_(created))) == len(created)
        hot_spots = session.scalar(select(func.count()).select_from(Case).where(Case.process_key == "hot_spot"))
    assert hot_spots == len(created) // 3


def _claim(app: Flask, item_id: str, headers: dict[str, str]):
    client = app.test_client()
    return lambda: client.post(f"/api/v1/tasks/{item_id}/claim", headers=headers)


def test_postgresql_three_dispatchers_claiming_one_task_through_the_api_one_gets_200_the_others_409(pg_app, pg_db):
    reporter = bearer(pg_db, "hotline1")
    tokens = {name: bearer(pg_db, name) for name in DISPATCHERS}
    for _round in range(5):
        case = pg_app.test_client().post("/api/v1/cases", json={"process_key": "social_event", "data": REPORT},
                                         headers=reporter).get_json()
        with pg_db.transaction(readonly=True) as session:
            item_id = session.scalars(select(WorkItem.id).where(WorkItem.case_id == case["id"])).one()

        responses = _together([_claim(pg_app, item_id, tokens[name]) for name in DISPATCHERS])
        assert sorted(r.status_code for r in responses) == [200, 409, 409], [r.get_json() for r in responses]
        [winner] = [name for name, r in zip(DISPATCHERS, responses, strict=True) if r.status_code == 200]
        assert all(r.get_json()["error"]["code"] == "conflict" for r in responses if r.status_code == 409)
        with pg_db.transaction(readonly=True) as session:
            claims = session.scalars(select(AuditEvent.actor).where(AuditEvent.task_id == item_id,
                                                                    AuditEvent.action == "task_claimed")).all()
            assert claims == [winner]
            assert session.get(WorkItem, item_id).assignee == winner
