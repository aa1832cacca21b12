"""The words of the social-event catalogue, from configuration: a (sub)category code reads as the option
label of the deployed forms that offer it (e.g. 0104 → 0104 市容环境·道路不洁). The map's filters, the event
reactions and the case record (a field marked ``ui:names: category``) all read it here."""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import forms as form_defs
from engine.definitions.bundle import Bundle
from engine.forms.i18n import tr
from engine.store.models.definitions import Deployment

CATEGORY_FIELD = "category"


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


def category_name(labels: Mapping[str, Any], code: Any, lang: str) -> str:
    """The words of category_labels for `code` in `lang`; "" for a code the catalogue does not know."""
    label = labels.get(str(code)) if code is not None else None
    return label if isinstance(label, str) else tr(label, lang) if isinstance(label, Mapping) else ""


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
