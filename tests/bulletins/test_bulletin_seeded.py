"""A bulletin on the demo district's seeded cases: its figures are the dashboard's for the same period (the
same queries, so they cannot diverge), it ranks and lists units by its thresholds, and its PDF and XLSX
are readable, name units by name, and exist in Chinese and English."""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.bulletins.figures import bulletin_figures
from engine.bulletins.service import bulletin_file, definitions
from engine.commands.bulletins import run_bulletin
from engine.commands.supervision import urge
from engine.dashboard.case_kpis import case_figures
from engine.dashboard.view import dashboard
from engine.org.service import actor_for
from engine.reporting.definition import Condition, ListRule
from engine.reporting.periods import period_containing
from engine.sla.calendar_store import calendar_for
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.sla import Notification
from engine.store.statuses import CaseStatus
from tests.conftest import built_from, sqlite_database_from

CODES = ("chengguan", "huanwei", "shizheng", "jd_S01", "S01", "S02")


def _urge_two(database: Database) -> None:
    with database.transaction() as session:
        supervisor = actor_for(session, "supervisor1")
        running = session.scalars(select(Case.id).where(Case.status == CaseStatus.RUNNING,
                                                        Case.department.is_not(None)).order_by(Case.id).limit(2))
        for case_id in list(running):
            urge(session, supervisor, case_id, "请加快办理")


@pytest.fixture(scope="module")
def urged_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded demo district (`casegrid init --demo`) plus two urgings (督办), so every measure has
    something to count."""
    path = tmp_path_factory.mktemp("bulletins") / "urged.sqlite3"
    built_from(demo_template, _urge_two)(path)
    return path


@pytest.fixture
def demo_db(urged_template: Path, tmp_path: Path) -> Iterator[Database]:
    yield from sqlite_database_from(urged_template, tmp_path)


def _this(kind: str, session) -> tuple:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    tz = calendar_for(session).tz
    period = period_containing(kind, now.astimezone(tz).date())
    return now, tz, period, *period.bounds(tz)


def test_a_department_bulletin_reconciles_with_the_dashboard_for_the_same_period(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session:
        now, tz, _period, since, until = _this("monthly", session)
        definition = definitions(session)["monthly_department_ranking"]
        figures = bulletin_figures(session, definition, since, until, now)
        board = dashboard(session, actor_for(session, "supervisor1"), now, since, until, tz)
        per_department = {d: case_figures(session, since, until, [d]) for d in definition.departments}
    total, totals = figures["total"], board.totals
    assert total["closed"] == totals["closed"] >= 5
    assert total["on_time_rate"] == totals["on_time_rate"]
    assert total["overdue"] == totals["overdue"] >= 3
    assert total["received"] == sum(day.opened for day in board.trend) > 0
    assert total["urges"] == sum(board.urgings_by_department.values()) == 2
    overdue_by_department = {row.key: row.overdue for row in board.departments}
    rows = {row["unit"]: row for row in figures["rows"]}
    assert list(rows) != [] and set(rows) == set(definition.departments)
    for code, row in rows.items():
        assert (row["closed"], row["closed_on_time"]) == (per_department[code].closed,
                                                          per_department[code].closed_on_time), code
        assert row["overdue"] == overdue_by_department.get(code, 0), code
        assert row["urges"] == board.urgings_by_department.get(code, 0), code


def test_a_street_bulletin_adds_up_to_the_dashboards_district_figures(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session:
        now, tz, _period, since, until = _this("monthly", session)
        definition = replace(definitions(session)["weekly_street_bulletin"], period="monthly")
        figures = bulletin_figures(session, definition, since, until, now)
        board = dashboard(session, actor_for(session, "supervisor1"), now, since, until, tz)
    streets = [row for row in figures["rows"] if row["unit"] is not None]
    assert [row["name_zh"] for row in streets][:2] == ["桂园街道", "黄贝街道"]  # names, in the organisation's order
    for measure in ("received", "closed", "closed_on_time", "overdue", "urges"):
        assert sum(row[measure] for row in figures["rows"]) == figures["total"][measure], measure
    assert figures["total"]["closed"] == board.totals["closed"]
    assert figures["total"]["overdue"] == board.totals["overdue"]


def test_units_are_ranked_by_the_measure_and_listed_red_or_black_by_the_thresholds(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session:
        now, _tz, _period, since, until = _this("monthly", session)
        definition = replace(definitions(session)["monthly_department_ranking"], min_closed=1,
                             red_list=ListRule((Condition("on_time_rate", "at_least", 0.95),), "all"),
                             black_list=ListRule((Condition("overdue", "above", 0),), "any"))
        figures = bulletin_figures(session, definition, since, until, now)
    rows = figures["rows"]
    ranked = [row for row in rows if row["rank"] is not None]
    assert ranked and all(row["closed"] >= 1 and row["on_time_rate"] is not None for row in ranked)
    assert rows[:len(ranked)] == ranked  # ranked first, then those not ranked
    rates = [row["on_time_rate"] for row in ranked]
    assert rates == sorted(rates, reverse=True)
    assert all(row["rank"] is None for row in rows if row["closed"] < 1)
    black = [row for row in rows if row["list"] == "black"]
    assert black and all(row["overdue"] > 0 and row["reasons"] == [["overdue", "above", 0.0]] for row in black)
    # Black wins over red: a unit with overdue steps is not praised, however good its rate.
    assert all(row["overdue"] == 0 and row["on_time_rate"] >= 0.95 for row in rows if row["list"] == "red")


def test_the_pdf_and_xlsx_are_readable_and_name_units_in_chinese_or_english(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        _now, _tz, period, _since, _until = _this("monthly", session)
        produced = run_bulletin(session, actor_for(session, "supervisor1"), "monthly_department_ranking",
                                period.label)
        bulletin_id = produced.bulletin.id
    with demo_db.transaction(readonly=True) as session:
        pdf, pdf_type, pdf_name = bulletin_file(session, bulletin_id, "pdf")
        xlsx, _type, _name = bulletin_file(session, bulletin_id, "xlsx")
        english, _type, english_name = bulletin_file(session, bulletin_id, "pdf", "en")
    assert pdf.startswith(b"%PDF") and pdf_type == "application/pdf"
    assert pdf_name == f"monthly_department_ranking-{period.label}.pdf" and english_name.endswith("-en.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "罗湖区城市管理案件办理情况月度通报" in text and "城市管理和综合执法局" in text
    assert "按期结案率" in text and "红榜" in text and "黑榜" in text and "全区合计" in text
    assert not [code for code in CODES if code in text]
    english_text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(english)).pages)
    assert "On-time closure rate" in english_text and "Urban management and law enforcement" in english_text
    assert "统计周期：" in text and "Period: " in english_text and "：" not in english_text  # each its own colon
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["统计数据", "红黑榜"]
    sheet = book["统计数据"]
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "按期结案率" in cells and "城市管理和综合执法局" in cells and "全区合计" in cells
    assert not [code for code in CODES if code in cells]
    assert len(sheet._charts) == 1  # the ranking measure as a bar chart
    assert book["红黑榜"]["A1"].value == "红榜"


def test_recipients_are_notified_once_and_a_rerun_recomputes_the_same_bulletin(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        _now, _tz, period, _since, _until = _this("weekly", session)
        supervisor = actor_for(session, "supervisor1")
        first = run_bulletin(session, supervisor, "weekly_street_bulletin", period.label)
    with demo_db.transaction() as session:
        again = run_bulletin(session, supervisor, "weekly_street_bulletin", period.label)
        notices = session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "bulletin"))
    assert first.created
    assert "supervisor1" in first.notified and "dispatcher1" in first.notified
    assert not again.created and again.bulletin.id == first.bulletin.id and again.bulletin.revision == 2
    assert again.notified == [] and notices == len(first.notified)
    assert first.bulletin.complete is False  # the current week has not ended: provisional
