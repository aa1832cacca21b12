"""A notification's words as its reader sees them now, in the page's language.

A notice is stored with its Chinese text and, since the notices learned to speak English, a key and its
facts (engine.sla.notify.notify): it is worded here when shown, with steps, departments and grid cells by
their names in the reader's language, people by the names they go by and times in local time. A notice
about a due time reads from that time as it stands now: a due time already passed reads 已于…超期. A
notice made before keys were recorded (or one whose facts do not fit its key) shows its stored text.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from engine.errors import CasegridError
from engine.org.service import RULES_ACTOR, poster_behind
from engine.reporting.periods import parse_period
from engine.sla.notify import DueNotice
from engine.store.models.sla import Notification
from web.i18n import current_locale, duration, gettext, local_time, step_name, unit_name


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def notification_text(notification: Notification, notice: DueNotice | None, now: datetime,
                      people: Mapping[str, str] | None = None) -> str:
    """The notice in the current language. `notice`: its step's due time and state now, for a due-time
    notice; `people`: username -> name, for the people a notice names (`people_named`)."""
    if notice is not None:
        task = step_name(notice.task_name, notice.process_key, notice.task_spec)
        if notice.department:  # one of several units' instances of the step (接警确认 of each agency)
            task = gettext("{task} ({unit})", task=task, unit=unit_name(notice.department))
        names = {"key": notice.business_key, "task": task}
        if not notice.still_open:
            if notice.completed_at is not None:
                return gettext("{key} {task}: done at {at}", at=local_time(notice.completed_at), **names)
            return gettext("{key} {task}: no longer open", **names)
        if notice.due_at is not None:
            if _aware(notice.due_at) <= now:
                return gettext("{key} {task}: overdue since {at}", at=local_time(notice.due_at), **names)
            return gettext("{key} {task}: due at {at}", at=local_time(notice.due_at), **names)
    worded = keyed_text(notification.message_key, notification.message_params, people or {})
    return notification.message if worded is None else worded


def people_named(notifications: Iterable[Notification]) -> set[str]:
    """The usernames the notices' facts name (params ending in _user), to look their names up at once."""
    return {str(value) for n in notifications if n.message_key and isinstance(n.message_params, dict)
            for name, value in n.message_params.items() if name.endswith("_user") and value}


def sender_name(username: str, people: Mapping[str, str]) -> str:
    """Who sent a notice: the system, the event rules (for whoever posted the event), or a person."""
    if username == "system":
        return gettext("System")
    if username == RULES_ACTOR:
        return gettext("Event rules")
    poster = poster_behind(username)
    if poster is not None:
        return gettext("Event rules (for {person})", person=people.get(poster, poster))
    return people.get(username, username)


# -- worded from the key and its facts ------------------------------------------------------------------

Params = Mapping[str, Any]
People = Mapping[str, str]


def _step(params: Params) -> str:
    """'<case key> <step>' ('EM-2026-0001 接警确认（消防救援大队）'): the step by its name in the current
    language, with the unit of its instance when the notice named one; the case key alone without a step."""
    step = params.get("step")
    if not step:
        return str(params["case"])
    name = step_name(step["name"], step.get("process"), step.get("spec"))
    if step.get("unit"):
        return gettext("{case} {task} ({unit})", case=params["case"], task=name, unit=unit_name(step["unit"]))
    return f"{params['case']} {name}"


def _at(value: str) -> str:
    return local_time(datetime.fromisoformat(value))


def _said(params: Params) -> str | None:
    """The words a policy or a rule set gave the notice, in the current language, if it gave them in it."""
    said = params.get("said") or {}
    return said.get(current_locale()) or None


def _amount(params: Params) -> str:
    return duration(params["amount"], params["unit"])


def _extension_decided(approved: bool) -> Callable[[Params, People], str]:
    def word(params: Params, people: People) -> str:
        note, amount, case = params.get("note"), _amount(params), params.get("case")
        if case:  # since the notice names its case (a handler may have several requests out)
            if approved:
                return (gettext("{case}: extension of {amount} approved: {note}", case=case, amount=amount, note=note)
                        if note else gettext("{case}: extension of {amount} approved", case=case, amount=amount))
            return (gettext("{case}: extension of {amount} rejected: {note}", case=case, amount=amount, note=note)
                    if note else gettext("{case}: extension of {amount} rejected", case=case, amount=amount))
        if approved:
            return (gettext("Extension of {amount} approved: {note}", amount=amount, note=note) if note
                    else gettext("Extension of {amount} approved", amount=amount))
        return (gettext("Extension of {amount} rejected: {note}", amount=amount, note=note) if note
                else gettext("Extension of {amount} rejected", amount=amount))
    return word


def _bulletin(params: Params, people: People) -> str:
    zh = current_locale() == "zh"
    title = params["title_zh"] if zh else (params.get("title_en") or params["title_zh"])
    period = parse_period(params["period_kind"], params["period"]).words(current_locale())
    return gettext('"{title}" ({period}) is published; read it on the Bulletins page.', title=title, period=period)


# message_key -> how it reads; the Chinese of each source text is what the engine stores as the message.
NOTICE_TEXTS: dict[str, Callable[[Params, People], str]] = {
    "sla.at_risk": lambda p, _: gettext("{step}: due at {at}", step=_step(p), at=_at(p["due_at"])),
    "sla.escalated": lambda p, _: gettext("{step}: overdue since {at}", step=_step(p), at=_at(p["due_at"])),
    "sla.overdue": lambda p, _: _said(p) or gettext("{step} is overdue", step=_step(p)),
    "sla.reminder": lambda p, _: gettext("{step} is overdue (reminder {n})", step=_step(p), n=p["n"]),
    "extension.requested": lambda p, people: gettext(
        "{case}: {person} asks for {amount} more: {reason}", case=p["case"],
        person=people.get(p["requester_user"], p["requester_user"]), amount=_amount(p), reason=p["reason"]),
    "extension.approved": _extension_decided(True),
    "extension.rejected": _extension_decided(False),
    "case.urged": lambda p, _: gettext("Urged {case}: {message}", case=p["case"], message=p["message"]),
    # A rule's message in the reader's language if the rule set gives it in that language, else as written.
    "rule.said": lambda p, _: _said(p) or p["said"]["zh"],
    "rule.matched": lambda p, _: _said(p) or gettext("Rule {rule} matched ({ruleset})", rule=p["rule"],
                                                     ruleset=p["ruleset"]),
    "bulletin.published": _bulletin,
}


def keyed_text(key: str | None, params: Any, people: People) -> str | None:
    """The notice worded from its key in the current language; None without a key this page knows, or when
    its facts do not fit the key (the stored text then beats a page that fails)."""
    word = NOTICE_TEXTS.get(key or "")
    if word is None or not isinstance(params, Mapping):
        return None
    try:
        return word(params, people)
    except (KeyError, TypeError, ValueError, AttributeError, CasegridError):
        return None
