"""The schema comes from Alembic migrations, on an empty PostgreSQL database as on SQLite."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect

from engine.store.migrate import current_heads, script_heads, upgrade
from engine.store.models import Base


def _assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        assert set(Base.metadata.tables) <= tables
        for name, table in Base.metadata.tables.items():
            columns = {c["name"] for c in inspector.get_columns(name)}
            assert {c.name for c in table.columns} <= columns, name
            indexes = {i["name"] for i in inspector.get_indexes(name)}
            assert {i.name for i in table.indexes} <= indexes, name
    finally:
        engine.dispose()


def test_alembic_upgrade_builds_the_whole_schema_on_an_empty_postgresql_database(pg_url):
    # The pg_url fixture created an empty database and ran `upgrade heads` on it.
    assert current_heads(pg_url) == script_heads(pg_url)
    _assert_schema_matches_models(pg_url)


def test_alembic_upgrade_builds_the_whole_schema_on_sqlite_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    upgrade(url)
    assert current_heads(url) == script_heads(url)
    _assert_schema_matches_models(url)
