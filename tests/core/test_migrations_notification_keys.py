"""Migration notifyi18n_notification_keys: notifications gain a message key and its params (nullable, so the
rows made before keep their stored text and nothing else), and lose them again on downgrade, on SQLite as on
PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, select, text

from engine.sla.notify import notify
from engine.store.database import Database
from engine.store.migrate import alembic_config, current_heads, script_heads, upgrade
from engine.store.models.sla import Notification

REVISION = "notifyi18n_notification_keys"
KEYED = {"message_key", "message_params"}


def _columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("notifications")}
    finally:
        engine.dispose()


def _downgrade_this_revision_only(url: str) -> None:
    command.downgrade(alembic_config(url), f"{REVISION}@-1")


def _add_old_row(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO notifications (recipient, kind, message, read, created_by, created_at) "
                "VALUES ('h1', 'urging', '督办 SE-1: 今日办结', false, 'sup', :at)"), {"at": datetime(2026, 12, 1, tzinfo=UTC)})
    finally:
        engine.dispose()


def _upgrade_downgrade_and_upgrade_again(url: str) -> None:
    upgrade(url)
    assert KEYED <= _columns(url)
    _downgrade_this_revision_only(url)
    assert not KEYED & _columns(url)
    assert script_heads(url) - current_heads(url) == {REVISION}  # the other branches stay where they were
    _add_old_row(url)  # a notice made before the upgrade

    upgrade(url)
    assert current_heads(url) == script_heads(url) and KEYED <= _columns(url)
    database = Database(url)
    try:
        with database.transaction() as session:
            old = session.scalars(select(Notification)).one()
            assert (old.message, old.message_key, old.message_params) == ("督办 SE-1: 今日办结", None, None)
            notify(session, ["h1"], "urging", "督办 SE-2: 快", message_key="case.urged", params={"case": "SE-2", "message": "快"})
        with database.transaction(readonly=True) as session:
            new = session.scalars(select(Notification).where(Notification.message_key.is_not(None))).one()
            assert new.message_params == {"case": "SE-2", "message": "快"}
    finally:
        database.dispose()

    _downgrade_this_revision_only(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT message FROM notifications ORDER BY id")).scalars().all()
    finally:
        engine.dispose()
    assert kept == ["督办 SE-1: 今日办结", "督办 SE-2: 快"]  # the texts stay: old code reads them as before


def test_notification_keys_upgrade_and_downgrade_on_sqlite_keeping_every_notice(tmp_path: Path) -> None:
    _upgrade_downgrade_and_upgrade_again(f"sqlite:///{tmp_path / 'notices.sqlite3'}")


def test_notification_keys_upgrade_and_downgrade_on_postgresql_keeping_every_notice(pg_url: str) -> None:
    _upgrade_downgrade_and_upgrade_again(pg_url)
