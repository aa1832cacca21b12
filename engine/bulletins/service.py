"""Produce, store, list and read bulletins. Services take the session first and never commit.

Definitions come from the deployed bundle (rules/bulletins/*.yaml of the latest deployment), checked
against the stored organisation. A bulletin is one row per definition and period (unique): producing it
again replaces its figures and files (revision + 1), so late data is recomputed on request while the
worker, which produces a period only when no row exists, never makes a second one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from engine.bulletins.figures import bulletin_figures
from engine.bulletins.render import Document, render_pdf, render_xlsx
from engine.definitions.service import current_bundle
from engine.errors import Conflict, DefinitionInvalid, NotFound
from engine.org.service import known_organisation
from engine.reporting.definition import BulletinDefinition, bulletins_from_files
from engine.reporting.periods import Period, due_period, parse_period
from engine.sla.calendar_store import calendar_for
from engine.sla.notify import notify, users_with_role
from engine.store.models.bulletins import Bulletin

MAX_PAGE = 200
NOTIFICATION_KIND = "bulletin"


def definitions(session: Session) -> dict[str, BulletinDefinition]:
    """The deployed bulletin definitions by name; a deployed file with problems is refused (deploy checks them)."""
    found, problems = bulletins_from_files(current_bundle(session).files, known_organisation(session))
    if problems:
        raise DefinitionInvalid(problems)
    return found


def definition_named(session: Session, name: str) -> BulletinDefinition:
    found = definitions(session).get(name)
    if found is None:
        raise NotFound(f"no bulletin definition named {name!r}", key="bulletin.unknown", params={"name": name[:60]})
    return found


def document_of(definition_title: tuple[str, str], period: Period, generated_at: datetime, complete: bool,
                lang: str, note: str = "") -> Document:
    zh, en = definition_title
    return Document(zh if lang == "zh" else (en or zh), period.words(lang), generated_at, complete, note)


def _period_of(bulletin: Bulletin) -> Period:
    kind = "weekly" if "W" in bulletin.period else "quarterly" if "Q" in bulletin.period else "monthly"
    return parse_period(kind, bulletin.period)


@dataclass(frozen=True)
class Produced:
    bulletin: Bulletin
    created: bool  # False: an existing bulletin was recomputed
    notified: list[str]


def produce(session: Session, definition: BulletinDefinition, period: Period, now: datetime,
            actor: str = "system") -> Produced:
    """Compute, render and store the bulletin of `period` (replacing an earlier one); notify the recipients
    the first time."""
    calendar = calendar_for(session)
    since, until = period.bounds(calendar.tz)
    if since > now:
        raise Conflict(f"the period {period.label} has not started", key="bulletin.period_not_started",
                       params={"period": period.label})
    figures = bulletin_figures(session, definition, since, until, now)
    figures["has_lists"] = definition.red_list is not None or definition.black_list is not None
    complete = until <= now
    doc = document_of((definition.title_zh, definition.title_en), period, now, complete, "zh", definition.note)
    pdf = render_pdf(figures, doc, "zh", calendar.tz)
    xlsx = render_xlsx(figures, doc, "zh", calendar.tz)
    existing = session.scalars(select(Bulletin).where(Bulletin.definition == definition.name,
                                                      Bulletin.period == period.label)).first()
    if existing is not None:
        existing.figures, existing.pdf, existing.xlsx = figures, pdf, xlsx
        existing.complete, existing.generated_at, existing.generated_by = complete, now, actor
        existing.title_zh, existing.title_en = definition.title_zh, definition.title_en
        existing.revision += 1
        session.flush()
        return Produced(existing, False, [])
    bulletin = Bulletin(definition=definition.name, period=period.label, period_start=since, period_end=until,
                        title_zh=definition.title_zh, title_en=definition.title_en, complete=complete,
                        figures=figures, generated_at=now, generated_by=actor, revision=1, pdf=pdf, xlsx=xlsx)
    session.add(bulletin)
    session.flush()  # the unique (definition, period) refuses a second worker's row here
    recipients = sorted({user for role in definition.recipient_roles for user in users_with_role(session, role)})
    message = f"《{definition.title_zh}》（{period.words('zh')}）已发布，请在「通报」页面查阅。"
    notify(session, recipients, NOTIFICATION_KIND, message, created_by=actor, message_key="bulletin.published",
           params={"title_zh": definition.title_zh, "title_en": definition.title_en, "period": period.label,
                   "period_kind": period.kind})
    return Produced(bulletin, True, recipients)


def exists(session: Session, name: str, period: Period) -> bool:
    return session.scalar(select(Bulletin.id).where(Bulletin.definition == name, Bulletin.period == period.label)
                          .limit(1)) is not None


def due(session: Session, now: datetime) -> list[tuple[BulletinDefinition, Period]]:
    """The (definition, period) pairs whose period has closed, whose issue time has come and that have no
    bulletin yet."""
    calendar = calendar_for(session)
    found = []
    for definition in definitions(session).values():
        period = due_period(definition.period, now, calendar, definition.working_days_after)
        if period is not None and not exists(session, definition.name, period):
            found.append((definition, period))
    return found


def list_bulletins(session: Session, limit: int = 50, offset: int = 0) -> tuple[list[Bulletin], int]:
    """Newest periods first (ix_bulletins_period_start); files not loaded."""
    total = session.scalar(select(func.count()).select_from(Bulletin)) or 0
    rows = session.scalars(select(Bulletin).order_by(Bulletin.period_start.desc(), Bulletin.definition)
                           .limit(max(1, min(limit, MAX_PAGE))).offset(max(0, offset)))
    return list(rows), int(total)


def get_bulletin(session: Session, bulletin_id: int, *, with_files: bool = False) -> Bulletin:
    query = select(Bulletin).where(Bulletin.id == bulletin_id)
    if with_files:
        query = query.options(undefer(Bulletin.pdf), undefer(Bulletin.xlsx))
    found = session.scalars(query).first()
    if found is None:
        raise NotFound(f"bulletin {bulletin_id} does not exist", key="bulletin.not_found")
    return found


FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def bulletin_file(session: Session, bulletin_id: int, fmt: str, lang: str = "zh") -> tuple[bytes, str, str]:
    """(content, media type, file name): the stored Chinese file, or the English one rendered from the figures."""
    if fmt not in FORMATS:
        raise NotFound(f"no {fmt!r} file for bulletin {bulletin_id}", key="bulletin.not_found")
    bulletin = get_bulletin(session, bulletin_id, with_files=lang == "zh")
    name = f"{bulletin.definition}-{bulletin.period}{'' if lang == 'zh' else '-en'}.{fmt}"
    if lang == "zh":
        return (bulletin.pdf if fmt == "pdf" else bulletin.xlsx), FORMATS[fmt], name
    tz = calendar_for(session).tz
    doc = document_of((bulletin.title_zh, bulletin.title_en), _period_of(bulletin), bulletin.generated_at,
                      bulletin.complete, "en")
    figures: dict[str, Any] = bulletin.figures
    content = render_pdf(figures, doc, "en", tz) if fmt == "pdf" else render_xlsx(figures, doc, "en", tz)
    return content, FORMATS[fmt], name


def period_words(bulletin: Bulletin, lang: str) -> str:
    return _period_of(bulletin).words(lang)
