"""One breach, one notice per (work item, recipient): parallel instances of a step that breach in the same
minute each get their own notice naming their unit; a person reached by two of a policy's escalations is told
once; a breach timer fired twice (or two timers for one deadline) tells no one a second time."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from engine.store.database import Database
from engine.store.models.org import User, UserRole
from engine.store.models.sla import Escalation, Notification
from engine.store.models.timers import Timer
from engine.store.statuses import TimerStatus
from tests.families.helpers import GAS_LEAK, T0, fire, open_items, start_incident

# A fire dispatches the fire brigade and the police, both with one minute to acknowledge
# (rules/emergency_dispatch.dmn, rules/emergency_agency_limits.dmn): both late in the same minute.
FIRE = {**GAS_LEAK, "title": "居民楼火情 东门路", "incident_type": "fire"}


def _notices(db: Database, case_id: int) -> list[tuple[str, str | None, str, str]]:
    with db.transaction(readonly=True) as session:
        return [(n.recipient, n.work_item_id, n.kind, n.message) for n in session.scalars(
            select(Notification).where(Notification.case_id == case_id).order_by(Notification.id))]


def _late_acknowledgements(db: Database) -> tuple[int, dict[str, str]]:
    case_id = start_incident(db, FIRE)
    acks = {i.department: i.id for i in open_items(db, case_id) if i.task_spec == "agency_acknowledge"}
    assert set(acks) == {"gongan", "xiaofang"}
    return case_id, acks


def test_two_agencies_late_in_the_same_minute_give_the_supervisor_one_notice_each_naming_the_agency(
        deployed_db, clock):
    case_id, acks = _late_acknowledgements(deployed_db)
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    fire(deployed_db)
    notices = _notices(deployed_db, case_id)
    per_item_and_person = Counter((who, item) for who, item, kind, _ in notices if kind == "sla_escalation")
    assert per_item_and_person and set(per_item_and_person.values()) == {1}
    supervisor = sorted((item, message) for who, item, kind, message in notices
                        if who == "supervisor1" and kind == "sla_escalation")
    assert {item for item, _ in supervisor} == set(acks.values())
    messages = [message for _, message in supervisor]
    assert len(set(messages)) == 2, messages  # two notices, told apart by the agency they name
    assert any("消防" in m for m in messages) and any("公安" in m for m in messages)


def test_a_breach_timer_fired_twice_or_twice_scheduled_tells_no_one_again(deployed_db, clock):
    case_id, _acks = _late_acknowledgements(deployed_db)
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    fire(deployed_db)
    before = _notices(deployed_db, case_id)
    with deployed_db.transaction() as session:
        breaches = list(session.scalars(select(Timer).where(Timer.case_id == case_id, Timer.kind == "sla_breach",
                                                            Timer.status == TimerStatus.FIRED)))
        assert len(breaches) == 2
        for timer in breaches:
            # the same timer delivered again (a worker's commit lost, a retry), and a second row for it
            timer.status, timer.fired_at = TimerStatus.PENDING, None
            session.add(Timer(case_id=case_id, kind="sla_breach", work_item_id=timer.work_item_id,
                              name=timer.name, due_at=timer.due_at, payload=dict(timer.payload or {})))
    assert fire(deployed_db) == 4
    assert _notices(deployed_db, case_id) == before
    with deployed_db.transaction(readonly=True) as session:
        assert len(session.scalars(select(Escalation).where(Escalation.case_id == case_id)).all()) == 4  # 2 × 2 roles


def test_someone_holding_both_escalation_roles_is_told_once_per_breach(deployed_db, clock):
    with deployed_db.transaction() as session:
        supervisor = session.scalars(select(User).where(User.username == "supervisor1")).one()
        session.add(UserRole(user_id=supervisor.id, role="department_head", scope="xiaofang"))
    case_id, acks = _late_acknowledgements(deployed_db)
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    fire(deployed_db)
    told = Counter(item for who, item, _kind, _ in _notices(deployed_db, case_id) if who == "supervisor1")
    assert told == {acks["xiaofang"]: 1, acks["gongan"]: 1}


def test_an_english_reader_reads_each_agencys_breach_notice_with_the_agency_and_the_step_in_english(
        deployed_db, clock, tmp_path):
    from flask import session as flask_session

    from web import create_app
    from web.dashboard.notices import notification_text

    case_id, _acks = _late_acknowledgements(deployed_db)
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    fire(deployed_db)
    with deployed_db.transaction(readonly=True) as session:
        notices = list(session.scalars(select(Notification).where(
            Notification.case_id == case_id, Notification.recipient == "supervisor1",
            Notification.kind == "sla_escalation").order_by(Notification.id)))
    app = create_app({"DATABASE_URL": deployed_db.url, "SECRET_KEY": "test", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    try:
        with app.test_request_context():
            assert [notification_text(n, None, T0) for n in notices] == [n.message for n in notices]
        with app.test_request_context():
            flask_session["locale"] = "en"
            english = sorted(notification_text(n, None, T0) for n in notices)
    finally:
        app.extensions["casegrid_db"].dispose()
    assert [text.split(" ", 1)[1] for text in english] == [
        "Acknowledge the dispatch (Fire and rescue (119)): overdue since 2026-11-24 10:01",
        "Acknowledge the dispatch (Public security (incl. traffic police)): overdue since 2026-11-24 10:01"]
