"""The worker produces each bulletin once its period has closed and its issue time has come, exactly once;
`casegrid bulletin run NAME --period P` produces one on demand and recomputes it when run again."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.app import bulletin_cli
from engine.app.cli import main
from engine.app.worker import produce_bulletins
from engine.store.database import Database
from engine.store.models.bulletins import Bulletin
from engine.store.models.sla import Notification

SH = ZoneInfo("Asia/Shanghai")


def _count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_worker_produces_each_due_bulletin_once_however_often_it_runs(deployed_db: Database) -> None:
    # Friday 30 October: September's bulletin (due 8 October, after National Day) and last week's (W43, due
    # Monday the 26th) have not been produced yet; October has not closed.
    made = produce_bulletins(deployed_db, now=datetime(2026, 10, 30, 10, tzinfo=SH))
    assert sorted(made) == ["monthly_department_ranking 2026-09", "weekly_street_bulletin 2026-W43"]
    # Monday 2 November, 08:59: the month and the week closed over the weekend, but the day has not opened.
    assert produce_bulletins(deployed_db, now=datetime(2026, 11, 2, 8, 59, tzinfo=SH)) == []
    at_opening = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    assert sorted(produce_bulletins(deployed_db, now=at_opening)) == [
        "monthly_department_ranking 2026-10", "weekly_street_bulletin 2026-W44"]
    notices = _count(deployed_db, Notification)
    assert produce_bulletins(deployed_db, now=at_opening) == []
    assert produce_bulletins(deployed_db, now=datetime(2026, 11, 3, 15, tzinfo=SH)) == []
    assert _count(deployed_db, Bulletin) == 4 and _count(deployed_db, Notification) == notices > 0
    with deployed_db.transaction(readonly=True) as session:
        october = session.scalars(select(Bulletin).where(Bulletin.period == "2026-10")).one()
    assert october.complete and october.revision == 1 and october.generated_by == "system"


@pytest.fixture
def run_cli(deployed_db: Database, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bulletin_cli, "_db", lambda: deployed_db)
    return lambda *args: CliRunner().invoke(main, ["bulletin", *args])


def test_bulletin_run_produces_one_on_demand_and_recomputes_it_when_run_again(run_cli, tmp_path) -> None:
    first = run_cli("run", "monthly_department_ranking", "--period", "2026-10", "--out", str(tmp_path))
    assert first.exit_code == 0, first.output
    assert "bulletin monthly_department_ranking 2026-10 produced: 14 rows" in first.output
    assert (tmp_path / "monthly_department_ranking-2026-10.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "monthly_department_ranking-2026-10.xlsx").read_bytes().startswith(b"PK")
    again = run_cli("run", "monthly_department_ranking", "--period", "2026-10")
    assert again.exit_code == 0 and "recomputed (revision 2)" in again.output
    listed = run_cli("list")
    assert listed.exit_code == 0 and "2026-10  monthly_department_ranking" in listed.output


REFUSED = [
    (("run", "monthly_department_ranking", "--period", "2026-13"), "'2026-13' is not a monthly period; write it like 2026-11"),
    (("run", "weekly_street_bulletin", "--period", "2026-11"), "not a weekly period; write it like 2026-W45"),
    (("run", "no_such_bulletin", "--period", "2026-11"), "no bulletin definition named 'no_such_bulletin'"),
    (("run", "monthly_department_ranking", "--period", "2099-01"), "the period 2099-01 has not started"),
    (("run", "monthly_department_ranking", "--period", "2026-10", "--user", "chengguan_h1"),
     "may not use publish_bulletins"),
]


def test_bulletin_run_refuses_bad_input_in_one_line_and_stores_nothing(run_cli, deployed_db) -> None:
    for args, says in REFUSED:
        result = run_cli(*args)
        assert result.exit_code != 0 and says in result.output, (args, result.output)
        assert len([line for line in result.output.splitlines() if line.startswith("error:")]) == 1
    assert _count(deployed_db, Bulletin) == 0
