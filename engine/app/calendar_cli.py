"""`casegrid calendar …`: load a year file, show a month, list the loaded years."""
from __future__ import annotations

from pathlib import Path

import click

from engine.app.cli_support import _db, _fail, reports_errors


@click.group(name="calendar")
def calendar_group() -> None:
    """The business calendar (holidays and 调休 make-up workdays) kept in the database."""


@calendar_group.command(name="load")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--allow-draft", is_flag=True, help="Load a `status: draft` file; its deadlines stay provisional.")
@click.option("--user", "username", default="system", help="Who loads it (recorded).")
def load(path: Path, allow_draft: bool, username: str) -> None:
    """Load a year file (rules/calendar/cn-YYYY.yaml) and recompute provisional deadlines."""
    from engine.sla.calendar_store import install_default_calendar
    from engine.sla.recompute import load_year

    @reports_errors
    def run() -> None:
        db = _db()
        with db.transaction() as session:
            report = load_year(session, path, username, allow_draft=allow_draft)
            install_default_calendar(session)
        rc = report.recompute
        click.echo(f"loaded {report.year} ({report.status}); recomputed {rc.recomputed} provisional deadline(s), "
                   f"{len(rc.moved)} moved, {rc.still_provisional} still provisional")

    run()


@calendar_group.command(name="show")
@click.argument("month", metavar="YYYY-MM")
def show(month: str) -> None:
    """Every day of a month: workday, weekend, holiday or makeup (调休上班)."""
    from engine.sla.calendar_store import month_days

    try:
        year, mon = (int(part) for part in month.split("-"))
    except ValueError:
        _fail([f"month must be YYYY-MM, got {month!r}"])
        return

    @reports_errors
    def run() -> None:
        db = _db()
        with db.transaction(readonly=True) as session:
            rows = month_days(session, year, mon)
        for row in rows:
            click.echo(f"{row.day.isoformat()} {row.day.strftime('%a')}  {'work' if row.working else 'off '}  "
                       f"{row.kind}{'  ' + row.name if row.name else ''}")

    run()


@calendar_group.command(name="years")
def years() -> None:
    """The loaded years, their status and source."""
    from engine.sla.calendar_store import loaded_years

    @reports_errors
    def run() -> None:
        db = _db()
        with db.transaction(readonly=True) as session:
            for y in loaded_years(session):
                click.echo(f"{y.year}  {y.status:<8} {y.origin:<16} {y.source or ''}")

    run()
