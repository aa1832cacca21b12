"""The words the map's filters and points use, from configuration: a family reads as the name of its
process, a category as the option label of the deployed forms that offer it (the social-event catalogue)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import forms as form_defs
from engine.definitions.bundle import Bundle
from engine.store.models.definitions import Deployment, ProcessVersion

CATEGORY_FIELD = "category"


def family_names(session: Session) -> dict[str, str]:
    """family -> the (bilingual) name of the newest process version of that family."""
    newest = select(ProcessVersion.family, func.max(ProcessVersion.id).label("id")) \
        .where(ProcessVersion.family.is_not(None)).group_by(ProcessVersion.family).subquery()
    rows = session.execute(select(ProcessVersion.family, ProcessVersion.name)
                           .join(newest, newest.c.id == ProcessVersion.id)).all()
    return {str(family): name for family, name in rows}


def category_labels(session: Session) -> dict[str, Any]:
    """category code -> its label ({zh, en} or text), from the forms of the newest deployment that list
    categories; read once per deployment (forms are immutable once deployed)."""
    newest = session.scalar(select(func.max(Deployment.id)))
    if newest is None:
        return {}
    key = (str(session.get_bind().url), int(newest))
    found = _cached.get(key)
    if found is None:
        files = session.scalars(select(Deployment.files).where(Deployment.id == newest)).one()
        found = _labels(tuple(sorted((path, text) for path, text in Bundle(files).of_kind("form").items()
                                     if f'"{CATEGORY_FIELD}"' in text)))
        if len(_cached) > 16:
            _cached.clear()
        _cached[key] = found
    return found


_cached: dict[tuple[str, int], dict[str, Any]] = {}


@lru_cache(maxsize=4)
def _labels(forms: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, text in forms:
        try:
            form = form_defs.load_form(text, path)
        except Exception:  # noqa: BLE001 - a form deploy refused is not this page's business
            continue
        for spec in form.fields:
            if spec.name == CATEGORY_FIELD:
                for option in spec.options:
                    out.setdefault(str(option.value), option.label)
    return out
