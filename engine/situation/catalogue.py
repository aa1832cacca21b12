"""The words the map's filters and points use, from configuration: a family reads as the name of its
process, a category as the option label of the deployed forms that offer it (the social-event catalogue,
engine.definitions.catalogue)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store.models.definitions import ProcessVersion


def family_names(session: Session) -> dict[str, str]:
    """family -> the (bilingual) name of the newest process version of that family."""
    newest = select(ProcessVersion.family, func.max(ProcessVersion.id).label("id")) \
        .where(ProcessVersion.family.is_not(None)).group_by(ProcessVersion.family).subquery()
    rows = session.execute(select(ProcessVersion.family, ProcessVersion.name)
                           .join(newest, newest.c.id == ProcessVersion.id)).all()
    return {str(family): name for family, name in rows}
