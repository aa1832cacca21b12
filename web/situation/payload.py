"""The JSON the map and the screen draw (web/static/js/case-map.js, ops-screen.js): names in the
reader's language, never codes; links to the case pages. The outlines under them: web.maps."""
from __future__ import annotations

from typing import Any

from flask import url_for

from engine.definitions.catalogue import category_name
from engine.situation.map_view import MapView
from engine.situation.screen_view import Screen
from web.i18n import (
    _,
    current_locale,
    english_names,
    local_time,
    localized_name,
    pause_text,
    role_name,
    step_name,
    unit_name,
)

SLA_TEXTS = {"overdue": "Overdue", "at_risk": "At risk", "on_time": "On time", "paused": "Paused"}
SOURCE_TEXTS = {"grid_worker": "Grid worker patrol", "hotline": "12345 hotline", "citizen": "Citizen"}
AGENCY_STATUS_TEXTS = {"dispatched": "Dispatched", "acknowledged": "Acknowledged", "arrived": "On scene",
                       "finished": "Finished"}
GRADE_TEXTS = {1: "Grade I (especially serious)", 2: "Grade II (serious)", 3: "Grade III (major)",
               4: "Grade IV (general)"}
ESCALATION_TEXTS = {"breach": "Time limit passed", "stage_breach": "Stage limit passed"}


def texts() -> dict[str, str]:
    return {**{code: _(text) for code, text in SLA_TEXTS.items()},
            "hotSpot": _("Hot spot"), "reports": _("reports"), "open": _("Open cases"), "overdueCases": _("Overdue"),
            "approximate": _("placed in its grid cell (no point given)"), "opened": _("Opened"),
            "reconnecting": _("Connection lost, reconnecting…"), "updated": _("Updated"),
            "openedCases": _("Cases opened"), "closedOnTime": _("Steps closed on time"),
            "closedLate": _("Steps closed late"),
            # Brackets and the list's separator are the language's own: full-width in Chinese only.
            "agencyStatus": _("{name} ({status})"), "listSeparator": _(", "),
            "none": _("None")}


def family_label(family: str | None, names: dict[str, str]) -> str:
    """A family as the name of its newest process (in English that process's nameEn, when it gives one)."""
    if family not in names:
        return _("Other")
    english = english_names().family(family) if current_locale() == "en" else None
    return english or localized_name(names[family])


def category_label(code: str | None, labels: dict[str, Any]) -> str:
    if not code:
        return ""
    return category_name(labels, code, current_locale()) or _("Other")


def map_json(view: MapView, families: dict[str, str], categories: dict[str, Any], links: bool = True) -> dict[str, Any]:
    return {
        "points": [{"url": url_for("ui.case", case_id=p.case_id) if links else None, "key": p.business_key,
                    "title": p.title, "family": family_label(p.family, families),
                    "category": category_label(p.category, categories), "department": unit_name(p.department),
                    "cell": unit_name(p.grid_cell), "value": [round(p.longitude, 6), round(p.latitude, 6)],
                    "exact": p.exact, "sla": p.sla, "opened": local_time(p.opened_at),
                    # A paused case's line as the case page reads it: 暂停计时（等待申请人补正材料，自 … 起）.
                    "pause": pause_text(p.pause) if p.pause is not None else None} for p in view.points],
        "cells": [{"name": c.code, "value": c.open, "overdue": c.overdue} for c in view.cells],
        "hotSpots": [{"url": url_for("ui.case", case_id=h.case_id) if links else None, "key": h.business_key,
                      "title": h.title, "cell": unit_name(h.grid_cell), "reports": h.reports,
                      "value": [round(h.longitude, 6), round(h.latitude, 6)], "opened": local_time(h.opened_at)}
                     for h in view.hot_spots],
        "total": view.total, "shown": len(view.points), "unplaced": view.unplaced, "legend": view.legend,
    }


def screen_json(screen: Screen, families: dict[str, str], categories: dict[str, Any]) -> dict[str, Any]:
    by_family: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for row in screen.today:
        family = family_label(row.family, families)
        by_family[family] = by_family.get(family, 0) + row.count
        source = _(SOURCE_TEXTS[row.source]) if row.source in SOURCE_TEXTS else _("Other channels")
        by_source[source] = by_source.get(source, 0) + row.count
    departments = sorted(screen.departments, key=lambda r: (-r.overdue, -r.open))[:12]
    return {
        "headline": {"today": screen.today_total, "open": screen.open_cases, "openSteps": screen.open_steps,
                     "overdueSteps": screen.overdue_steps, "closedToday": screen.closed_today,
                     "emergencies": len(screen.emergencies)},
        "byFamily": [{"name": k, "value": v} for k, v in sorted(by_family.items(), key=lambda kv: -kv[1])],
        "bySource": [{"name": k, "value": v} for k, v in sorted(by_source.items(), key=lambda kv: -kv[1])],
        "departments": {"names": [unit_name(r.key) if r.key else _("By role (no department)") for r in departments],
                        "open": [r.open - r.overdue for r in departments],
                        "overdue": [r.overdue for r in departments]},
        "emergencies": [{"key": e.business_key, "title": e.title,
                         "grade": _(GRADE_TEXTS[e.grade]) if e.grade in GRADE_TEXTS else _("Being graded"),
                         "gradeLevel": e.grade or 0, "cell": unit_name(e.grid_cell), "opened": local_time(e.opened_at),
                         "agencies": [{"name": unit_name(a.department) if a.department else _("Linkage agency"),
                                       "status": _(AGENCY_STATUS_TEXTS[a.status]) if a.status in AGENCY_STATUS_TEXTS
                                       else _("In progress")} for a in e.agencies]}
                        for e in screen.emergencies],
        "trend": {"days": [d.day.strftime("%m-%d") for d in screen.trend], "opened": [d.opened for d in screen.trend],
                  "closedOnTime": [d.closed_on_time for d in screen.trend],
                  "closedLate": [d.closed_late for d in screen.trend]},
        "escalations": [{"key": e.business_key, "step": step_name(e.task_name), "department": unit_name(e.department),
                         "reason": _(ESCALATION_TEXTS[e.reason]) if e.reason in ESCALATION_TEXTS else _("Escalated"),
                         # A breach goes to each role the policy names (the head, the supervisors): who it went to
                         # tells the lines apart, which read as the same line twice without it.
                         "to": _("Reported to {role}", role=role_name(e.target_role)) if e.target_role else "",
                         "at": local_time(e.created_at)} for e in screen.escalations],
        "map": map_json(screen.map, families, categories, links=False),
        "generated": local_time(screen.now, with_seconds=True),
    }
