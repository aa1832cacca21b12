"""How list pages ask the database: a page that is not full needs no count, a count reads no columns,
an event class is a range an index serves, and PostgreSQL connections do not JIT-compile short queries."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select

from engine.cases.access import CaseFilter, list_visible_cases
from engine.cases.service import start_case
from engine.org.access import system_actor
from engine.store.database import Database
from engine.store.like import has_prefix
from tests.incidents.helpers import REVIEW, deploy_nap, user_steps_bpmn


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _cases(db: Database, count: int) -> None:
    settle = ('<bpmn:scriptTask id="settle" name="登记"><bpmn:incoming>{incoming}</bpmn:incoming>'
              '<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:script>settled = 1</bpmn:script></bpmn:scriptTask>')
    deploy_nap(db, user_steps_bpmn("plain", settle, REVIEW))
    with db.transaction() as session:
        for number in range(count):
            start_case(session, "plain", {"title": f"case {number}"}, system_actor())


def test_a_page_that_is_not_full_ends_the_list_so_its_total_needs_no_count(db: Database) -> None:
    _cases(db, 3)
    with db.transaction(readonly=True) as session, _statements(db) as seen:
        rows, total = list_visible_cases(session, system_actor(), CaseFilter(), limit=20)
    assert len(rows) == 3 and total == 3 and not total.at_least
    assert not [s for s in seen if "count(" in s.lower()]


def test_a_full_page_and_a_page_past_the_end_are_counted_without_reading_columns(db: Database) -> None:
    _cases(db, 3)
    with db.transaction(readonly=True) as session, _statements(db) as seen:
        full, full_total = list_visible_cases(session, system_actor(), CaseFilter(), limit=3)
        past, past_total = list_visible_cases(session, system_actor(), CaseFilter(), limit=3, offset=30)
    assert len(full) == 3 and full_total == 3 and past == [] and past_total == 3
    counts = [s for s in seen if "count(" in s.lower()]
    assert len(counts) == 2
    # The counted rows are a constant, so an index that covers the filter answers alone.
    assert all("SELECT 1" in s and "workflow_state" not in s and "title" not in s for s in counts)


def _codes_table(db: Database) -> Table:
    table = Table("prefix_probe", MetaData(), Column("id", Integer, primary_key=True), Column("code", String(20)))
    table.create(db.engine)
    codes = ["01", "0101", "0199", "01x", "02", "0201", "0", "0_01", "0%01", "00", "1"]
    with db.engine.begin() as connection:
        connection.execute(insert(table), [{"id": i, "code": code} for i, code in enumerate(codes)])
    return table


def _starting(db: Database, table: Table, prefix: str) -> list[str]:
    with db.engine.connect() as connection:
        return sorted(connection.scalars(select(table.c.code).where(has_prefix(table.c.code, prefix))))


def _check_prefixes(db: Database) -> None:
    table = _codes_table(db)
    assert _starting(db, table, "01") == ["01", "0101", "0199", "01x"]
    assert _starting(db, table, "02") == ["02", "0201"]
    assert _starting(db, table, "0_") == ["0_01"]  # the typed characters, never wildcards
    assert _starting(db, table, "0%") == ["0%01"]
    assert _starting(db, table, "9") == []
    assert len(_starting(db, table, "")) == 11


def test_an_event_class_finds_exactly_the_codes_that_start_with_it_on_sqlite(db: Database) -> None:
    _check_prefixes(db)


def test_an_event_class_finds_exactly_the_codes_that_start_with_it_on_postgresql(pg_db: Database) -> None:
    _check_prefixes(pg_db)


def test_an_event_class_is_a_range_a_plain_index_serves(db: Database) -> None:
    table = _codes_table(db)
    condition = str(has_prefix(table.c.code, "01").compile(compile_kwargs={"literal_binds": True}))
    assert "prefix_probe.code >= '01'" in condition and "prefix_probe.code < '02'" in condition


def test_postgresql_connections_run_without_jit(pg_db: Database) -> None:
    # A JIT compilation costs ~25 ms; casegrid's list statements run in a few.
    with pg_db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"


@pytest.mark.parametrize("prefix", ["\U0010ffff"])
def test_a_prefix_ending_in_the_last_character_falls_back_to_like(db: Database, prefix: str) -> None:
    table = _codes_table(db)
    assert _starting(db, table, prefix) == []
