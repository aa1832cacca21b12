"""Demo incidents for `casegrid init --demo`: alarms taken at the emergency duty desk itself.

The social-event demo already starts two linked incidents (gas, flooding); these come in as 110/119/120
alarms, entered by the duty officer through the real services, one transaction each, recognised by
title on a re-run. Their agencies' 接警确认 clocks run in minutes, so the dashboard soon shows them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.commands.cases import start as start_case
from engine.demo.social_event import seed_each
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.cases import Case

PROCESS = "emergency_linkage"
DUTY_OFFICER = "duty1"

ALARMS: tuple[dict[str, Any], ...] = (
    {"title": "解放路公交车与货车相撞", "incident_type": "traffic_accident", "casualties": 0, "people_affected": 12,
     "location_class": "road", "location": "解放路与建设路交叉口", "grid_cell": "S03C02G01",
     "description": "两车相撞，公交车上有乘客受伤，道路双向拥堵"},
    {"title": "桂园小学旁居民楼火情", "incident_type": "fire", "casualties": 0, "people_affected": 40,
     "location_class": "residential", "location": "桂园路桂园小学东侧8栋", "grid_cell": "S01C01G02",
     "description": "六楼厨房起火，楼道有烟，住户正在疏散"},
)


def _seeded(session: Session, alarm: dict[str, Any]) -> bool:
    return session.scalars(select(Case.id).where(Case.process_key == PROCESS, Case.title == alarm["title"])) \
        .first() is not None


def _create(session: Session, alarm: dict[str, Any]) -> None:
    start_case(session, actor_for(session, DUTY_OFFICER), PROCESS, dict(alarm))


def seed_demo_incidents(db: Database) -> int:
    """Take the demo alarms at the duty desk; returns how many were started. Idempotent."""
    return seed_each(db, PROCESS, ALARMS, _seeded, _create)
