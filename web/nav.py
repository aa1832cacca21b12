"""The top navigation: features add items; each item shows only to users whose roles open one of the
abilities it names (engine.org.abilities)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, g, request

from engine.org.abilities import Ability


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # English source text, translated through web.i18n
    abilities: tuple[Ability, ...] | None = None  # any one of them shows it; None: every signed-in user
    order: int = 50


DEFAULT_ITEMS = [
    NavItem("ui.inbox", "Inbox", order=10),
    NavItem("ui.cases", "Cases", order=20),
    NavItem("ui.start", "Report / start", order=30),
]


def init_app(app: Flask) -> None:
    app.extensions["casegrid_nav"] = list(DEFAULT_ITEMS)

    @app.context_processor
    def _nav_context() -> dict[str, Any]:
        user = g.get("user")
        items: list[NavItem] = []
        if user is not None:
            items = sorted((i for i in app.extensions["casegrid_nav"]
                            if i.abilities is None or user.may_any(i.abilities)), key=lambda i: i.order)
        active = request.endpoint or ""
        return {"nav_items": items, "nav_active": active.split(".", 1)[0]}
