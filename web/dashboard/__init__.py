"""Supervisor dashboard (/dashboard: roles that may use the dashboard) and everyone's notifications
(/notifications: where a handler reads that a case was urged).
"""
from __future__ import annotations

from flask import Blueprint

from engine.org.abilities import Ability
from web.nav import NavItem

bp = Blueprint("dashboard", __name__)
bp.nav_items = [  # type: ignore[attr-defined]
    NavItem("dashboard.index", "Dashboard", abilities=(Ability.DASHBOARD,), order=40),
    NavItem("dashboard.notifications", "Notifications", order=45),
]

from web.dashboard import views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
