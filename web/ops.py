"""/healthz (public) and /metrics (Prometheus text format: operators, or the scrape token).

Metrics name endpoints and count open work by time-limit state: operational facts, not for every
signed-in handler. Administrators may read them, and so may a scraper presenting CASEGRID_METRICS_TOKEN
(checked by web.identity before any user lookup); everyone else signed in gets 403.
"""
from __future__ import annotations

import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from engine.errors import Forbidden
from engine.org.abilities import Ability
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus
from web.db import database, transaction
from web.identity import current_user, public

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@public
def healthz() -> Any:
    with transaction(readonly=True) as session:
        session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/metrics")
def metrics() -> Response:
    if not g.get("metrics_scrape") and not current_user().may(Ability.OPERATE_INCIDENTS):
        raise Forbidden("metrics are for operators (roles that may operate_incidents) or the monitoring token", key="metrics.forbidden")
    registry: CollectorRegistry = current_app.extensions["casegrid_metrics"]["registry"]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # gunicorn with N workers: each writes its samples to files in that folder; one scrape sums them.
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_WorkItemCollector(database()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _WorkItemCollector:
    """Open work items by SLA state, read from the projection at scrape time (one indexed query)."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def collect(self) -> Any:
        family = GaugeMetricFamily("casegrid_open_work_items", "Open work items by SLA state", labels=["sla_state"])
        try:
            with self.db.transaction(readonly=True) as session:
                rows = session.execute(select(WorkItem.sla_state, func.count()).where(WorkItem.status == WorkItemStatus.OPEN)
                                       .group_by(WorkItem.sla_state)).all()
        except Exception:  # noqa: BLE001 - a scrape must not fail because the database is briefly away
            rows = []
        for state, count in rows:
            family.add_metric([state or "none"], count)
        yield family


def init_app(app: Flask) -> None:
    registry = CollectorRegistry()
    requests_total = Counter("casegrid_http_requests_total", "HTTP requests", ["method", "endpoint", "status"],
                             registry=registry)
    latency = Histogram("casegrid_http_request_seconds", "HTTP request latency", ["endpoint"], registry=registry)
    registry.register(_WorkItemCollector(app.extensions["casegrid_db"]))
    app.extensions["casegrid_metrics"] = {"registry": registry}

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        # The endpoint name, not the path: task ids in paths would explode the label cardinality.
        endpoint = request.endpoint or "unmatched"
        requests_total.labels(request.method, endpoint, str(response.status_code)).inc()
        started = g.get("request_started")
        if started is not None:
            latency.labels(endpoint).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(bp)
