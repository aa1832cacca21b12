"""What `casegrid init` does for time limits: seed the calendar table and install it as default."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import read_year_file, year_files_in
from engine.sla.calendar_store import install_default_calendar, seed_from_chinese_calendar, store_year_file
from engine.sla.recompute import recompute_provisional
from engine.store.models.sla import CalendarYear


def seed_calendar(session: Session, root: Path) -> list[int]:
    """Seed from chinese_calendar, then load official year files of rules/calendar/ for years the
    table lacks (drafts are left to the operator: `casegrid calendar load --allow-draft`)."""
    added = seed_from_chinese_calendar(session)
    present = set(session.scalars(select(CalendarYear.year)))
    for path in year_files_in(root / "rules" / "calendar"):
        parsed = read_year_file(path)
        if parsed.is_draft or parsed.year in present:
            continue
        store_year_file(session, parsed, "system")
        added.append(parsed.year)
    if added:
        recompute_provisional(session)
    install_default_calendar(session)
    return added
