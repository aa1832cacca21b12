"""The data the ECharts trend and department charts draw, as plain JSON-able dicts."""
from __future__ import annotations

from typing import Any

from engine.dashboard.view import Dashboard
from web.i18n import _


def chart_data(view: Dashboard, lang: str) -> dict[str, Any]:
    names = view.department_names
    pick = 0 if lang == "zh" else 1
    return {
        "days": [d.day.isoformat() for d in view.trend],
        "opened": [d.opened for d in view.trend],
        "closedOnTime": [d.closed_on_time for d in view.trend],
        "closedLate": [d.closed_late for d in view.trend],
        "onTimeRate": [None if d.on_time_rate is None else round(d.on_time_rate * 100, 1) for d in view.trend],
        # Department rows are keyed by department code; None collects the steps a role takes whatever its
        # department (the command centre's registration, a grid worker's check, a window's review), as the table names it.
        "departments": [names.get(r.key, (r.key, r.key))[pick] if r.key else _("By role (no department)")
                        for r in view.departments],
        "open": [r.open - r.at_risk - r.overdue for r in view.departments],
        "atRisk": [r.at_risk for r in view.departments],
        "overdue": [r.overdue for r in view.departments],
    }
