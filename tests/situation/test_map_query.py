"""The case map reads the projections: a report's point decides its grid cell, open cases are drawn where
they were reported (or inside their cell), coloured by their worst step's time limit, and only the cases
the reader may see are listed."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from engine.cases.service import start_case
from engine.config import settings
from engine.errors import InvalidInput
from engine.org.service import actor_for
from engine.situation.map_view import MapFilter, district_outlines, map_view
from engine.situation.screen_view import screen_view
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "hotline", "caller_name": "陈先生", "caller_phone": "13800138000"}
NOW = datetime.now(UTC)


def cell_at(db: Database, longitude: float, latitude: float) -> str | None:
    from engine.cases.territory import grid_cell_index

    with db.transaction(readonly=True) as session:
        return grid_cell_index(session).locate(longitude, latitude)


def anchor_of(db: Database, cell: str) -> tuple[float, float]:
    from engine.cases.territory import grid_cell_index

    with db.transaction(readonly=True) as session:
        found = grid_cell_index(session).anchor(cell)
    assert found is not None
    return found


def report(db: Database, **changes: Any) -> Case:
    with db.transaction() as session:
        case = start_case(session, "social_event", {**REPORT, **changes}, actor_for(session, "hotline1"))
        session.expunge(case)
        return case


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, sqlite_template) -> Database:  # type: ignore[no-untyped-def]
    """One deployed demo district for the read-only checks of this module."""
    import shutil

    from tests.conftest import clear_engine_caches, deploy_bundled

    path = tmp_path_factory.mktemp("map") / "map.sqlite3"
    shutil.copy(sqlite_template, path)
    clear_engine_caches()
    database = Database(f"sqlite:///{path}")
    deploy_bundled(database)
    yield database
    database.dispose()
    clear_engine_caches()


def test_a_point_given_with_a_report_decides_its_grid_cell_and_street(shared: Database) -> None:
    longitude, latitude = anchor_of(shared, "S05C02G01")
    case = report(shared, grid_cell="S01C01G01", latitude=latitude, longitude=longitude)
    assert (case.grid_cell, case.street) == ("S05C02G01", "S05")
    assert (case.latitude, case.longitude) == (latitude, longitude) and case.geohash and len(case.geohash) == 9


def test_a_report_with_a_point_needs_no_grid_cell(shared: Database) -> None:
    longitude, latitude = anchor_of(shared, "S02C03G02")
    data = {k: v for k, v in REPORT.items() if k != "grid_cell"}
    with shared.transaction() as session:
        case = start_case(session, "social_event", {**data, "latitude": latitude, "longitude": longitude},
                          actor_for(session, "hotline1"))
        assert case.grid_cell == "S02C03G02"


def test_a_point_outside_every_grid_cell_is_refused_and_opens_nothing(shared: Database) -> None:
    with shared.transaction(readonly=True) as session:
        before = len(session.scalars(select(Case.id)).all())
    with pytest.raises(InvalidInput) as refused:
        report(shared, latitude=39.9, longitude=116.4)
    assert refused.value.key == "case.point_outside_district" and "latitude" in refused.value.details
    with shared.transaction(readonly=True) as session:
        assert len(session.scalars(select(Case.id)).all()) == before


def test_a_report_without_a_point_keeps_the_chosen_cell_and_is_drawn_inside_it(shared: Database) -> None:
    case = report(shared, grid_cell="S04C01G02", title="翠竹路井盖缺失")
    assert case.latitude is None and case.grid_cell == "S04C01G02"
    with shared.transaction(readonly=True) as session:
        view = map_view(session, actor_for(session, "supervisor1"), MapFilter(), NOW)
    [point] = [p for p in view.points if p.case_id == case.id]
    assert not point.exact and cell_at(shared, point.longitude, point.latitude) == "S04C01G02"


def test_a_case_with_an_overdue_step_is_red_and_counts_in_its_cells_overdue(shared: Database) -> None:
    case = report(shared, grid_cell="S03C03G02", title="城东路占道经营")
    with shared.transaction() as session:
        session.execute(update(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)
                        .values(due_at=NOW - timedelta(hours=1)))
    with shared.transaction(readonly=True) as session:
        view = map_view(session, actor_for(session, "supervisor1"), MapFilter(), NOW)
    assert {p.case_id: p.sla for p in view.points}[case.id] == "overdue"
    cell = {c.code: c for c in view.cells}["S03C03G02"]
    assert cell.open >= 1 and cell.overdue >= 1


def test_filters_narrow_the_points_and_the_cell_counts(shared: Database) -> None:
    report(shared, grid_cell="S05C03G01", category="0404", title="向西路机动车乱停放")
    with shared.transaction(readonly=True) as session:
        supervisor = actor_for(session, "supervisor1")
        by_class = map_view(session, supervisor, MapFilter(category="04"), NOW)
        by_family = map_view(session, supervisor, MapFilter(family="licensing"), NOW)
        future = map_view(session, supervisor, MapFilter(opened_from=NOW + timedelta(days=1)), NOW)
    assert by_class.points and all(p.category and p.category.startswith("04") for p in by_class.points)
    assert {c.code for c in by_class.cells} == {p.grid_cell for p in by_class.points}
    assert all(p.family == "licensing" for p in by_family.points)
    assert future.points == [] and future.cells == [] and future.total == 0


def test_a_box_keeps_only_the_points_inside_it(shared: Database) -> None:
    longitude, latitude = anchor_of(shared, "S01C02G02")
    case = report(shared, latitude=latitude, longitude=longitude, title="老围路道路不洁")
    box = (longitude - 0.001, latitude - 0.001, longitude + 0.001, latitude + 0.001)
    with shared.transaction(readonly=True) as session:
        view = map_view(session, actor_for(session, "supervisor1"), MapFilter(bbox=box), NOW)
    assert case.id in {p.case_id for p in view.points}
    assert all(box[0] <= p.longitude <= box[2] and box[1] <= p.latitude <= box[3] for p in view.points)


def test_a_box_that_is_not_a_box_is_refused(shared: Database) -> None:
    with shared.transaction(readonly=True) as session, pytest.raises(InvalidInput):
        map_view(session, actor_for(session, "supervisor1"), MapFilter(bbox=(114.2, 22.5, 114.1, 22.6)), NOW)


def test_the_map_lists_only_the_cases_the_reader_may_open_and_at_most_the_limit(shared: Database) -> None:
    report(shared, title="桂园路非法小广告", grid_cell="S01C01G01", category="0201")
    with shared.transaction(readonly=True) as session:
        everyone = map_view(session, actor_for(session, "supervisor1"), MapFilter(), NOW)
        worker = map_view(session, actor_for(session, "gw_s01c01g01"), MapFilter(), NOW)
        two = map_view(session, actor_for(session, "supervisor1"), MapFilter(), NOW, limit=2)
    assert worker.points and {p.grid_cell for p in worker.points} <= {"S01C01G01"}
    assert len(worker.points) < len(everyone.points)
    assert len(two.points) == 2 and two.total == everyone.total and two.truncated


def test_hot_spots_opened_by_the_event_rules_are_drawn_in_their_cell(shared: Database) -> None:
    for n in range(3):  # three reports of one subcategory in one cell within two hours (rules/events/hot_spot.json)
        report(shared, grid_cell="S02C01G02", category="0105", title=f"黄贝岭水域不洁第{n + 1}次")
    with shared.transaction(readonly=True) as session:
        view = map_view(session, actor_for(session, "supervisor1"), MapFilter(), NOW)
    [spot] = [h for h in view.hot_spots if h.grid_cell == "S02C01G02"]
    assert spot.reports == 3 and cell_at(shared, spot.longitude, spot.latitude) == "S02C01G02"
    assert all(p.family != "hot_spot" for p in view.points)


def test_the_outlines_are_every_street_community_and_grid_cell(shared: Database) -> None:
    with shared.transaction(readonly=True) as session:
        kinds = [o.kind for o in district_outlines(session)]
    assert (kinds.count("street"), kinds.count("community"), kinds.count("grid_cell")) == (5, 15, 30)


def test_the_screen_counts_todays_cases_by_family_and_source(shared: Database) -> None:
    report(shared, title="渔邨路道路不洁", grid_cell="S05C01G01", category="0104")
    with shared.transaction(readonly=True) as session:
        screen = screen_view(session, actor_for(session, "supervisor1"), datetime.now(UTC), settings().tz)
        opened = len(session.scalars(select(Case.id).where(Case.family == "social_event",
                                                           Case.data["report_channel"].as_string() == "hotline")).all())
    [hotline] = [r for r in screen.today if r.family == "social_event" and r.source == "hotline"]
    assert hotline.count == opened >= 1
    assert len(screen.trend) == 7 and screen.trend[-1].opened == screen.today_total
