"""zh-CN by default, English on request: a small message catalogue instead of Flask-Babel.

Why not Babel: its runtime reads compiled .mo files, which would mean committing build output or adding
a compile step to every install; we have two languages and a few hundred UI strings, and the form
texts already follow the same pattern (web/forms/texts.py). Source strings are English; the catalogue
in web/messages_zh.py gives the Chinese. tests/web/test_i18n.py fails if a template string has no
translation.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, g, session
from sqlalchemy.orm import Session

from engine.config import settings
from engine.forms.i18n import normalize_lang, split_bilingual
from engine.sla.queries import shown_state
from engine.sla.wording import amount_in_words, unit_words
from engine.store.statuses import CaseStatus
from web.messages_zh import ZH

if TYPE_CHECKING:
    from engine.definitions.names import NameBook

LOCALES = ("zh", "en")


def current_locale() -> str:
    if "locale" in session:
        return normalize_lang(session["locale"])
    user = g.get("user")
    return normalize_lang(user.locale if user is not None else "zh")


def gettext(text: str, **values: Any) -> str:
    translated = ZH.get(text, text) if current_locale() == "zh" else text
    return translated.format(**values) if values else translated


_ = gettext


def local_time(value: datetime | None, with_seconds: bool = False) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def short_time(value: datetime | None) -> str:
    """A moment in a sentence: 12月7日 10:00 / 7 Dec 10:00, with the year when it is not this year's."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(settings().tz)
    this_year = local.year == datetime.now(settings().tz).year
    if current_locale() == "zh":
        return f"{'' if this_year else f'{local.year}年'}{local.month}月{local.day}日 {local:%H:%M}"
    return local.strftime("%d %b %H:%M" if this_year else "%d %b %Y %H:%M").lstrip("0")


def pause_text(pause: Any) -> str:
    """A paused case's deadline as a line reads it (engine.sla.case_marks.PauseMark):
    暂停计时（等待申请人补正材料，自 12月7日 10:00 起，剩余 3 个工作日）."""
    parts = [pause.short_reason] if pause.short_reason else []
    parts.append(gettext("since {at}", at=short_time(pause.since)))
    if pause.remaining_working_days is not None:
        n = pause.remaining_working_days
        parts.append(gettext("1 working day left") if n == 1 else gettext("{n} working days left", n=n))
    return gettext("Paused ({details})", details=("，" if current_locale() == "zh" else ", ").join(parts))


def pause_title(pause: Any) -> str:
    """The pause's tooltip: the whole reason the process gave and the moment it began."""
    since = gettext("Paused since {at}", at=local_time(pause.since))
    return f"{pause.reason} · {since}" if pause.reason else since


def _years(years: Iterable[int]) -> str:
    return ("、" if current_locale() == "zh" else ", ").join(str(y) for y in years)


def provisional_text(years: Iterable[int]) -> str:
    """（暂定：2027 年节假日安排未发布）beside a deadline computed without that year's official calendar."""
    return gettext(" (provisional: the {years} public holiday schedule is not published)", years=_years(years))


def provisional_title(years: Iterable[int]) -> str:
    return gettext("Computed by the weekend-only rule: the {years} holiday schedule is not loaded; it may move.", years=_years(years))


def time_left(due: datetime | None, now: datetime | None = None) -> str:
    """'3d 4h left' / 'overdue 2h' in the current language; coarse on purpose, for an inbox row."""
    if due is None:
        return ""
    now = now or datetime.now(UTC)
    if due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = gettext("{d}d {h}h", d=days, h=hours)
    elif hours:
        span = gettext("{h}h {m}m", h=hours, m=minutes)
    elif minutes:
        span = gettext("{m}m", m=minutes)
    else:  # an emergency's minutes-long limit: "0 minutes left" read as if the time were already gone
        span = gettext("under a minute")
    return gettext("overdue {span}", span=span) if overdue else gettext("{span} left", span=span)


def shown_sla_state(item: Any, now: datetime | None = None) -> str:
    """The time-limit mark a row shows for a work item (engine.sla.queries.shown_state, the rule the
    dashboard's and the inbox's 超期 count with): a step past its due time reads overdue, a withdrawn one
    never does."""
    return shown_state(getattr(item, "status", None), getattr(item, "sla_state", None),
                       getattr(item, "due_at", None), now or datetime.now(UTC))


# What case and work-item status codes read as; codes stay English in data, the API and the audit trail.
STATUS_LABELS = {
    "running": "In progress", "completed": "Completed", "cancelled": "Cancelled", "open": "Open",
    "withdrawn": "Withdrawn", "failed": "Failed",
}


def case_status_label(case: Any) -> str:
    """A running case with an open incident reads 有异常: it cannot move until an operator acts."""
    if case.status == CaseStatus.RUNNING and (getattr(case, "open_incidents", 0) or 0) > 0:
        return gettext("Has incident")
    return status_label(case.status)


# What a case waits for, as its people read it (engine.cases.display_status); the API sends the code.
DISPLAY_TEXTS = {
    "awaiting_registration": "Awaiting registration", "in_handling": "In handling",
    "awaiting_linked_case": "Waiting for a linked case", "awaiting_timer": "Waiting for a reminder",
    "incident": "Has incident", "in_progress": "In progress", "completed": "Completed", "cancelled": "Cancelled",
}
# A linked case of these families is named by what it is rather than as "a linked case".
LINKED_FAMILY_TEXTS = {"emergency": "Waiting for the emergency linkage"}


def display_status_label(display: Any) -> str:
    """待立案 / 处置中（环卫所）/ 等待应急联动 / 等待到期提醒（2031-05-06）/ 有异常 / 已办结 …"""
    if display is None:
        return ""
    code = str(display.status)
    if code == "in_handling" and display.units:
        joiner = "、" if current_locale() == "zh" else ", "
        return gettext("In handling ({units})", units=joiner.join(unit_name(u) for u in display.units))
    if code == "awaiting_linked_case":
        return gettext(LINKED_FAMILY_TEXTS.get(display.linked_family or "", DISPLAY_TEXTS[code]))
    if code == "awaiting_timer" and display.until is not None:
        return gettext("Waiting for the reminder due {at}", at=local_time(display.until)[:10])
    return _label(DISPLAY_TEXTS, code)


def current_step_label(case: Any, display: Any) -> str:
    """The 当前环节 a case page and the case list show: the open steps' names, or, when no step is open
    (a cancelled or closed case, one waiting for the emergency case it raised, for a reminder, …), what the
    case waits for in the words of its display status (已撤销 / 等待应急联动 / …)."""
    if not case.current_step:
        return display_status_label(display)
    return steps_text(case.current_step, case.process_key, getattr(case, "process_version_id", None))


def steps_text(stored: str, process_key: str | None, version_id: int | None) -> str:
    """cases.current_step (the open steps' names joined by 、) in the current language: in English each
    step's English name (a name that itself holds a 、 is matched whole first), joined by commas."""
    if current_locale() == "zh":
        return stored
    from engine.runtime.projection import STEP_SEPARATOR

    book = english_names()
    parts = stored.split(STEP_SEPARATOR)
    shown: list[str] = []
    start = 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            english = book.step(STEP_SEPARATOR.join(parts[start:end]), process_key, None, version_id)
            if english:
                shown.append(english)
                start = end
                break
        else:
            shown.append(parts[start])
            start += 1
    return ", ".join(shown)


def _label(texts: dict[str, str], code: str | None) -> str:
    """A code's words in the current language; an unknown code shows as it is."""
    return gettext(texts[code]) if code in texts else (code or "")


def status_label(status: str | None) -> str:
    return _label(STATUS_LABELS, status)


def _per_request(name: str, load: Callable[[Session], Any]) -> Any:
    """A lookup table read once a request (the organisation, process names), kept on flask.g."""
    found = g.get(name)
    if found is None:
        from web.db import transaction

        with transaction(readonly=True) as db_session:
            found = load(db_session)
        setattr(g, name, found)
    return found


def unit_name(code: str | None) -> str:
    """A department or grid cell's name in the current language."""
    if not code:
        return ""
    from engine.org.service import unit_names

    zh, en = _per_request("unit_names", unit_names).get(code, (code, code))
    return (zh if current_locale() == "zh" else en) or zh or code


def role_name(code: str | None) -> str:
    """A role's name in the current language (a lane, a profile); an unknown code shows as it is."""
    if not code:
        return ""
    from engine.org.service import role_names

    zh, en = _per_request("role_names", role_names).get(code, (code, code))
    return (zh if current_locale() == "zh" else en) or zh or code


def lane_label(code: str) -> str:
    """A BPMN lane names a role or a department (engine.org.config.OrgConfig.lane_codes)."""
    from engine.org.service import role_names

    return role_name(code) if code in _per_request("role_names", role_names) else unit_name(code)


def localized_name(name: str | None) -> str:
    """A name written bilingually (a process's BPMN name) in the current language only."""
    zh, en = split_bilingual(name)
    return zh if current_locale() == "zh" else en


def english_names() -> NameBook:
    """The English names the deployed processes give (engine.definitions.names), read once a request and
    only by a page in English: a Chinese page shows the names as stored."""
    from engine.definitions.names import name_book

    book: NameBook = _per_request("english_names", name_book)
    return book


def person_name(username: str, shown: str | None = None) -> str:
    """A person as colleagues know them (`shown`: their display name, as a Chinese page reads it); in English
    with the unit their display name gives in English (engine.org.service.display_names)."""
    if current_locale() == "zh":
        return shown or username
    from engine.org.service import display_names
    from web.db import transaction

    with transaction(readonly=True) as db_session:
        return display_names(db_session, [username], "en").get(username) or shown or username


def process_name(key: str | None) -> str:
    """A process key as its deployed name reads in the current language (``城区社会事件统一监管``; in English
    the process's nameEn, else its name)."""
    if not key:
        return ""
    from engine.definitions.service import process_names

    if current_locale() == "en":
        english = english_names().process(key)
        if english:
            return english
    return localized_name(_per_request("process_names", process_names).get(key, key))


def version_name(version: Any) -> str:
    """The name of a deployed version (a ProcessVersion, or anything with its process_key and name) in the
    current language: in English its nameEn, else a newer or older version's, else its name."""
    if current_locale() == "en":
        english = english_names().process(version.process_key, getattr(version, "id", None))
        if english:
            return english
    return localized_name(version.name)


def step_name(name: str | None, process_key: str | None = None, spec: str | None = None,
              version_id: int | None = None) -> str:
    """A step's name as stored (a work item's, an audit event's, an escalation's) in the current language:
    in English the nameEn its process gives the step (by BPMN id `spec` when known), else the name stored."""
    if not name:
        return ""
    if current_locale() == "zh":
        return name
    return english_names().step(name, process_key, spec, version_id) or name


def task_name(item: Any, version_id: int | None = None) -> str:
    """A work item's step name in the current language (`version_id`: its case's process version)."""
    return step_name(item.task_name, getattr(item, "process_key", None), getattr(item, "task_spec", None),
                     version_id)


def duration(amount: float | None, unit: str | None) -> str:
    """`2 working_days` as '2 个工作日' / '2 working days'."""
    return "" if amount is None else amount_in_words(amount, unit, current_locale())


def limit_unit_text(unit: str | None) -> str:
    return unit_words(unit, current_locale())


# Audit action codes as a timeline reads them; the codes stay English in the audit table and the API.
ACTION_TEXTS = {
    "case_started": "Opened the case", "case_completed": "Case closed", "case_cancelled": "Case cancelled",
    "case_linked": "Linked to another case", "case_flagged": "Flagged", "case_urged": "Urged",
    "priority_raised": "Priority raised", "task_created": "Task opened", "task_claimed": "Claimed",
    "task_unclaimed": "Released", "task_transferred": "Transferred", "task_completed": "Done",
    "task_withdrawn": "Task withdrawn", "timer_fired": "Timer fired", "timer_failed": "Timer failed",
    "message_sent": "Message sent", "message_received": "Message received", "rule_fired": "Rule fired",
    "event_posted": "Event posted", "events_posted": "Batch of events posted",
    "sla_clock_started": "Time limit started", "sla_clock_paused": "Time limit paused",
    "sla_clock_resumed": "Time limit resumed", "sla_clock_skipped": "No time limit applies",
    "sla_met": "Done within the limit", "sla_met_late": "Done after the limit",
    "sla_cancelled": "Time limit cancelled", "sla_at_risk": "Time limit nearly used up",
    "sla_overdue": "Time limit passed", "sla_reminded": "Reminder sent", "sla_escalated": "Escalated",
    "sla_escalation_acknowledged": "Escalation acknowledged", "sla_extension_requested": "Asked for more time",
    "sla_extension_approved": "Extension approved", "sla_extension_rejected": "Extension rejected",
    "sla_extension_withdrawn": "Extension request withdrawn (the limit ended)",
    "sla_stage_done": "Stage done", "sla_deadline_recomputed": "Deadline recomputed",
    "sla_auto_completed": "Completed by the time limit",
    "incident_opened": "Incident opened", "incident_failed_again": "Failed again",
    "incident_retry_failed": "Retry failed", "incident_resolved": "Incident resolved",
    "incident_cancelled": "Incident cancelled", "case_migrated": "Moved to another version of the process",
}


def action_label(action: str | None) -> str:
    return _label(ACTION_TEXTS, action)


# Notification kinds as their tag reads.
NOTIFICATION_TEXTS = {
    "urging": "Urged (督办)", "sla_at_risk": "Nearly due", "sla_overdue": "Overdue", "sla_reminder": "Reminder",
    "sla_escalation": "Escalated", "sla_extension_requested": "Extension asked",
    "sla_extension_approved": "Extension approved", "sla_extension_rejected": "Extension rejected", "rule": "Rule",
    "bulletin": "Bulletin published",
}


def notification_label(kind: str | None) -> str:
    return _label(NOTIFICATION_TEXTS, kind)


# Time-limit timers carry a generated English name; the page says what they are and for which task.
TIMER_TEXTS = {"sla_warning": "Warning", "sla_breach": "Limit", "sla_remind": "Reminder"}


def timer_label(timer: Any, items: Iterable[Any] = (), case: Any = None) -> str:
    """A pending timer as the case page lists it: a time limit's by its kind and step, a BPMN timer by its
    event's name (in English the nameEn its case's process gives the event)."""
    text = TIMER_TEXTS.get(timer.kind)
    if text is None:
        if not timer.name:
            return timer.kind
        return step_name(timer.name, getattr(case, "process_key", None), None,
                         getattr(case, "process_version_id", None))
    task = next((task_name(item) for item in items if item.id == timer.work_item_id), None)
    return f"{gettext(text)} · {task}" if task else gettext(text)


def count_text(total: int) -> str:
    """A list's total as its heading shows it: the number, or "1,000+ 件" when counting stopped at the
    bound (engine.store.counting: an exact count would read the whole history)."""
    if getattr(total, "at_least", False):
        return gettext("{count}+", count=f"{int(total):,}")
    return str(int(total))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=gettext, local_time=local_time, time_left=time_left, status_label=status_label,
                                 case_status_label=case_status_label, display_status_label=display_status_label,
                                 current_step_label=current_step_label, shown_sla_state=shown_sla_state,
                                 unit_name=unit_name, role_name=role_name, process_name=process_name, person_name=person_name,
                                 version_name=version_name, step_name=step_name, task_name=task_name,
                                 localized_name=localized_name, duration=duration,
                                 limit_unit_text=limit_unit_text, action_label=action_label, timer_label=timer_label,
                                 notification_label=notification_label, count_text=count_text,
                                 short_time=short_time, pause_text=pause_text, pause_title=pause_title,
                                 provisional_text=provisional_text, provisional_title=provisional_title)

    @app.context_processor
    def _locale_context() -> dict[str, Any]:
        locale = current_locale()
        return {"locale": locale, "html_lang": "zh-CN" if locale == "zh" else "en"}
