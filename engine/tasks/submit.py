"""Complete a task from an HTML form post: authorise, coerce the posted strings, complete."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.models import Case
from engine.org.access import Actor
from engine.runtime.versions import runtime_for
from engine.tasks.models import WorkItem
from engine.tasks.service import complete
from engine.tasks.view import authorised_item


def coerce_posted(session: Session, item: WorkItem, posted: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form (`{name: str | [str]}` or a MultiDict) as typed data for the item's form."""
    case = session.get(Case, item.case_id)
    assert case is not None
    form = runtime_for(session, case.process_version_id).form(item.form_key)
    return form.coerce_html_form(posted) if form is not None else {}


def complete_posted(session: Session, item_id: str, posted: Mapping[str, Any], actor: Actor, lang: str = "zh",
                    expected_case_version: int | None = None) -> tuple[Case, list[WorkItem]]:
    item = authorised_item(session, item_id, actor, to_work=True)
    data = coerce_posted(session, item, posted)
    return complete(session, item.id, data, actor, lang=lang, expected_case_version=expected_case_version)
