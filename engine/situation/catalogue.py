"""The words the map's filters and points use, from configuration: a family reads as the name of its
process, a category as the option label of the start forms that offer it (the social-event catalogue)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.cases.starting import startable
from engine.definitions.service import process_summaries
from engine.store.models.definitions import ProcessVersion

CATEGORY_FIELD = "category"


def family_names(session: Session) -> dict[str, str]:
    """family -> the (bilingual) name of the newest process version of that family."""
    rows = session.execute(select(ProcessVersion.family, func.max(ProcessVersion.id))
                           .where(ProcessVersion.family.is_not(None)).group_by(ProcessVersion.family)).all()
    out = {}
    for family, newest in rows:
        version = session.get(ProcessVersion, newest)
        if version is not None:
            out[str(family)] = version.name
    return out


def category_labels(session: Session) -> dict[str, Any]:
    """category code -> its label ({zh, en} or text), from every process's start form that lists categories."""
    out: dict[str, Any] = {}
    for key, _name, latest, _count in process_summaries(session):
        form = startable(session, key, latest).form
        for spec in getattr(form, "fields", ()) or ():
            if spec.name == CATEGORY_FIELD:
                for option in spec.options:
                    out.setdefault(str(option.value), option.label)
    return out
