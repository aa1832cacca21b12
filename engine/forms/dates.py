"""Date and date-time answers against time: the floor every date-time answer keeps, and ``ui:within``.

``ui:within`` bounds a date or date-time field by moments the analyst names, so the same rule serves any
form (docs/forms.md):

    "handled_on": {"ui:widget": "datetime", "ui:within": {"notBefore": "case.opened", "notAfter": "now"}}

A bound is ``"now"`` (when the answer is submitted), ``"case.opened"`` (when the case was reported: its
opening; for a start form that is now too) or a literal date / RFC 3339 date-time. Bounds that are moments
of the running system get ``leewayMinutes`` of slack (default 5) for the clocks of phones and servers; a
literal bound is exact.

Why every date-time answer is also refused before 1970-01-01 (the district's midnight), whatever the form
says: what a handler types into a date-time field is a wall-clock time in the district's zone, and it must
be shown back as typed. Asia/Shanghai kept local mean time (+08:05:43) until 1901 and summer time in the
1940s and 1986-1991, so an instant typed as "1900-01-01 08:00" either is stored with an offset RFC 3339
cannot write or comes back five or six minutes off. No answer in this product (a case's events, a
handler's work) happens before 1970, and such a value is always a slip of the date picker; refusing it at
input, with the reason beside the field, is kinder than storing a date that is then shown shifted. The
coercion reads naive input in the district's zone with its historical rules (engine.forms.coerce), so the
summer-time years above the floor are typed and shown alike too.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from engine.forms import messages
from engine.forms.fields import FieldSpec
from engine.forms.i18n import tr

ANCHORS = ("now", "case.opened")
DEFAULT_LEEWAY = timedelta(minutes=5)
# Midnight of 1970-01-01 in the district (China Standard Time, which the zone has kept since 1991 and
# kept in winter before): the earliest date-time answer any form takes.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC) - timedelta(hours=8)
EARLIEST_TEXT = "1970-01-01"


@dataclass(frozen=True)
class Moments:
    """The moments a submission is judged against: now, and when its case was opened. Without the latter
    (a caller that does not know the case) a "case.opened" bound is not checked; the completion that
    commits is always judged with it (engine.cases.service.validate_with_form)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    case_opened: datetime | None = None

    def anchor(self, name: str) -> datetime | None:
        if name == "now":
            return self.now
        return self.case_opened if name == "case.opened" else None


def parse_literal(text: Any) -> datetime | date | None:
    """A literal bound: 'YYYY-MM-DD' as a date, an RFC 3339 date-time with its offset; else None."""
    if not isinstance(text, str):
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def date_errors(fields: tuple[FieldSpec, ...], cleaned: Mapping[str, Any], visible: set[str],
                moments: Moments, tz: tzinfo, lang: str) -> dict[str, list[str]]:
    """{field: [message]} for the visible date and date-time answers out of their bounds."""
    errors: dict[str, list[str]] = {}
    for spec in fields:
        if spec.name not in visible or spec.widget not in ("date", "datetime"):
            continue
        value = cleaned.get(spec.name)
        if not isinstance(value, str):
            continue
        message = _date_message(spec, value, moments, tz, lang)
        if message:
            errors[spec.name] = [message]
    return errors


def _date_message(spec: FieldSpec, value: str, moments: Moments, tz: tzinfo, lang: str) -> str | None:
    if spec.widget == "datetime":
        moment = _moment(value)
        if moment is None:
            return None  # not a date-time at all: the format check words that
        if moment < EARLIEST:
            return _custom(spec, "notBefore", lang) or messages.text("date_too_early", lang, limit=EARLIEST_TEXT)
        answer: datetime | date = moment
    else:
        day = parse_literal(value)
        if not isinstance(day, date) or isinstance(day, datetime):
            return None  # not a date: the format check words that
        answer = day
    rule = spec.ui_within or {}
    for key in ("notBefore", "notAfter"):
        bound = rule.get(key)
        if bound is None:
            continue
        limit = _limit(bound, key, rule, moments)
        if limit is None:
            continue
        if _outside(answer, limit, key, tz):
            return _custom(spec, key, lang) or _bound_message(bound, key, limit, spec, moments, tz, lang)
    return None


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _limit(bound: str, key: str, rule: Mapping[str, Any], moments: Moments) -> datetime | date | None:
    if bound not in ANCHORS:
        return parse_literal(bound)
    anchored = moments.anchor(bound)
    if anchored is None:
        return None
    leeway = timedelta(minutes=rule["leewayMinutes"]) if "leewayMinutes" in rule else DEFAULT_LEEWAY
    return anchored - leeway if key == "notBefore" else anchored + leeway


def _outside(answer: datetime | date, limit: datetime | date, key: str, tz: tzinfo) -> bool:
    if isinstance(answer, datetime) and not isinstance(limit, datetime):
        answer = answer.astimezone(tz).date()  # a date-time field bounded by a literal date: compare days
    elif not isinstance(answer, datetime) and isinstance(limit, datetime):
        limit = limit.astimezone(tz).date()  # a date field bounded by a moment: compare the district's days
    return answer < limit if key == "notBefore" else answer > limit  # type: ignore[operator]


def _custom(spec: FieldSpec, key: str, lang: str) -> str | None:
    custom = spec.error_messages.get(key)
    return tr(custom, lang) if custom else None


def _bound_message(bound: str, key: str, limit: datetime | date, spec: FieldSpec, moments: Moments, tz: tzinfo,
                   lang: str) -> str:
    if bound == "now":
        return messages.text("not_after_now" if key == "notAfter" else "not_before_now", lang)
    # A moment of the system is shown without its slack: the handler compares with the time they know.
    shown = moments.anchor(bound) or limit
    if isinstance(shown, datetime):
        local = shown.astimezone(tz)
        when = local.strftime("%Y-%m-%d %H:%M") if spec.widget == "datetime" else local.strftime("%Y-%m-%d")
    else:
        when = shown.isoformat()
    if bound == "case.opened":
        return messages.text("not_before_case_opened" if key == "notBefore" else "not_after_case_opened",
                             lang, limit=when)
    return messages.text("date_too_early" if key == "notBefore" else "date_too_late", lang, limit=when)


def wall_clock(value: str, tz: tzinfo) -> datetime | None:
    """A stored date-time answer as the wall-clock time to show (or to put back into a datetime-local
    input): the moment in the district's zone, which is how it was read when typed (engine.forms.coerce).
    An answer from before the floor can only come from before it was enforced, typed then as +08:00:
    it is shown in its own offset, as typed, not shifted by the zone's local mean time. None for a text
    that is no date-time; a naive one is shown as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or moment < EARLIEST:
        return moment
    return moment.astimezone(tz)
