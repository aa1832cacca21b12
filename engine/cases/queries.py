"""Case search on the case projection: by number, status, category, grid cell/street, department, dates, text.

Built on engine.cases.access (page_of_visible_cases), so a search never shows a case its actor may not see. Every
filter is an indexed column of `cases` (status, category, grid_cell, street, department with status;
opened_at; the unique business key); the text filter is a substring match and narrows what the
indexed filters found.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.cases.access import CaseFilter, filtered_cases, page_of_visible_cases
from engine.errors import InvalidInput
from engine.org.access import Actor
from engine.store.like import has_prefix
from engine.store.models.cases import Case

STATUSES = ("running", "completed", "cancelled")
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class CaseSearch:
    business_key: str | None = None  # exact, e.g. LH-2026-000123
    status: str | None = None
    category: str | None = None  # a subcategory code ("0102") or a class code ("01")
    grid_cell: str | None = None
    street: str | None = None
    department: str | None = None
    process_key: str | None = None
    opened_from: datetime | None = None  # inclusive
    opened_to: datetime | None = None  # exclusive
    text: str | None = None  # in business key or title


@dataclass(frozen=True)
class CasePage:
    items: list[Case] = field(default_factory=list)
    total: int = 0  # an engine.store.counting.Total: "1,000+" beyond the bound
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _check(search: CaseSearch, page: int, per_page: int) -> None:
    errors: dict[str, list[str]] = {}
    if search.status and search.status not in STATUSES:
        errors["status"] = [f"one of {', '.join(STATUSES)}"]
    if search.opened_from and search.opened_to and search.opened_from >= search.opened_to:
        errors["opened_to"] = ["must be after opened_from"]
    if page < 1:
        errors["page"] = ["must be 1 or more"]
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = [f"between 1 and {MAX_PER_PAGE}"]
    if errors:
        raise InvalidInput("invalid case search", errors)


def search_cases(session: Session, actor: Actor, search: CaseSearch, page: int = 1, per_page: int = 20) -> CasePage:
    """The cases matching `search` that `actor` may see, newest first, one page of them."""
    _check(search, page, per_page)
    # A two-digit category is an event class: subcategory codes start with their class code.
    is_class = bool(search.category) and len(search.category or "") == 2
    query = filtered_cases(CaseFilter(
        status=search.status, process_key=search.process_key, department=search.department,
        grid_cell=search.grid_cell, category=None if is_class else search.category, text=search.text,
        opened_from=search.opened_from, opened_to=search.opened_to))
    if is_class:
        query = query.where(has_prefix(Case.category, search.category or ""))
    if search.street:
        query = query.where(Case.street == search.street)
    if search.business_key:
        query = query.where(Case.business_key == search.business_key.strip())
    rows, total = page_of_visible_cases(session, actor, query, (page - 1) * per_page, per_page)
    return CasePage(rows, total, page, per_page)
