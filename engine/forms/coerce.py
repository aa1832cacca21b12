"""Turning submitted values into the types the schema declares.

HTML forms send every value as a string, repeat a key for each chosen option, send
nothing at all for an unchecked checkbox, and send "" for an untouched input. We turn
those into JSON types before validation. A value that cannot be converted is kept as
sent, so the validator reports it against the field and the form can show it again.

One convention throughout: an empty answer ("", [], None) is *no answer* — the key is
left out, so ``required`` is what decides whether that is acceptable.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.forms.fields import FieldSpec


def _district_zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # a container without tzdata: China has kept +08:00 since 1991
        return timezone(timedelta(hours=8), "CST")


# A browser's datetime-local input sends no offset: it is the district's wall-clock time, read in the same
# zone (with its historical rules) that pages show answers in (CASEGRID_TIMEZONE, default Asia/Shanghai),
# so what is typed is what is shown. A fixed +08:00 here once made "1988-07-01 08:00" (summer time) come
# back as 09:00; engine.forms.dates refuses date-times before 1970, where the zone's mean time begins.
DEFAULT_TZ: tzinfo = _district_zone()

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

TRUE_STRINGS = frozenset({"true", "on", "1", "yes", "y", "是"})
FALSE_STRINGS = frozenset({"false", "off", "0", "no", "n", "否"})
_INT = re.compile(r"^[+-]?\d+$")


class MultiDictLike(Protocol):
    def getlist(self, key: str) -> list[Any]: ...


def _getlist(formdata: MultiDictLike | Mapping[str, Any], key: str) -> list[Any]:
    """werkzeug MultiDict and plain dicts ({key: value} or {key: [values]}) alike."""
    getlist = getattr(formdata, "getlist", None)
    if callable(getlist):
        return list(getlist(key))
    value = formdata.get(key) if isinstance(formdata, Mapping) else None
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _contains(formdata: MultiDictLike | Mapping[str, Any], key: str) -> bool:
    return key in formdata  # type: ignore[operator]  # both MultiDict and Mapping support `in`


def coerce_html_form(fields: Iterable[FieldSpec], formdata: MultiDictLike | Mapping[str, Any],
                     tz: tzinfo = DEFAULT_TZ) -> dict[str, Any]:
    """Typed data from an HTML form post; keys that are not fields (csrf_token...) are ignored."""
    data: dict[str, Any] = {}
    for spec in fields:
        values = _getlist(formdata, spec.name)
        if spec.widget == "checkbox":
            # An unchecked checkbox is simply absent from the post: that absence means False.
            raw: Any = values[-1] if values else False
        elif spec.widget in ("checkboxes", "attachments"):
            raw = values
        elif not values and not _contains(formdata, spec.name):
            continue
        else:
            raw = values[0] if values else ""
        value = coerce_value(spec, raw, tz)
        if value is not MISSING:
            data[spec.name] = value
    return data


def coerce_value(spec: FieldSpec, value: Any, tz: tzinfo = DEFAULT_TZ) -> Any:
    """The value converted to the field's type, MISSING for an empty answer, or as sent."""
    if value is None:
        return MISSING
    if spec.widget == "attachments":
        return _coerce_attachments(value)
    if spec.type == "array":
        return _coerce_list(value, spec.item_type or "string", tz)
    return _coerce_scalar(value, spec.type, spec.widget, tz)


def _coerce_list(value: Any, item_type: str, tz: tzinfo) -> Any:
    if isinstance(value, str | int | float | bool):
        value = [value]  # one chosen option arrives as a plain value
    if not isinstance(value, list | tuple):
        return value
    out: list[Any] = []
    for item in value:
        coerced = _coerce_scalar(item, item_type, "", tz)
        # Repeated keys can send the same option twice; the answer is a set of options.
        if coerced is not MISSING and not any(_same(coerced, o) for o in out):
            out.append(coerced)
    return out or MISSING


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _coerce_attachments(value: Any) -> Any:
    if isinstance(value, Mapping | str):
        value = [value]
    if not isinstance(value, list | tuple):
        return value
    out: list[Any] = []
    for item in value:
        if isinstance(item, str):
            if not item.strip():
                continue
            try:
                # The form posts each kept attachment as its JSON metadata.
                item = json.loads(item)
            except ValueError:
                pass
        out.append(item)
    return out or MISSING


def _coerce_scalar(value: Any, type_: str, widget: str, tz: tzinfo) -> Any:
    if value is None:
        return MISSING
    if type_ == "string":
        return _coerce_string(value, widget, tz)
    if type_ in ("number", "integer"):
        return _coerce_number(value, type_)
    if type_ == "boolean":
        return _coerce_bool(value)
    return value


def _coerce_string(value: Any, widget: str, tz: tzinfo) -> Any:
    if isinstance(value, datetime):
        return _iso_datetime(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return value
    # Browsers send CRLF line breaks from a textarea; store one kind of newline.
    text = value.replace("\r\n", "\n").strip()
    if not text:
        return MISSING
    if widget == "datetime":
        return _normalize_datetime(text, tz)
    return text


def _normalize_datetime(text: str, tz: tzinfo) -> str:
    """'2024-05-01T09:30' (datetime-local) -> '2024-05-01T09:30:00+08:00'; junk is kept as is."""
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:
        return text
    if len(text) <= 10:  # a bare date is not a date-time answer
        return text
    if parsed.tzinfo is None and not _exists(parsed, tz):
        return text  # a wall-clock time the zone skipped (a summer-time change): refused as no date-time
    return _iso_datetime(parsed, tz)


def _exists(naive: datetime, tz: tzinfo) -> bool:
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def _iso_datetime(value: datetime, tz: tzinfo) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=tz)
    return aware.isoformat(timespec="seconds" if aware.microsecond == 0 else "microseconds")


def _coerce_number(value: Any, type_: str) -> Any:
    if isinstance(value, bool):
        return value  # True is not a number answer; let validation say so
    if isinstance(value, str):
        # NFKC turns full-width digits typed with a Chinese IME ("１２") into ASCII.
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if not text:
            return MISSING
        if _INT.match(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return value
        if not math.isfinite(number):
            return value
        value = number
    if type_ == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _coerce_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return MISSING
        if text in TRUE_STRINGS:
            return True
        if text in FALSE_STRINGS:
            return False
    return value


def value_as_text(value: Any) -> str:
    """How a value is written into an HTML input; coerce_value reads it back to the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


__all__ = ["DEFAULT_TZ", "MISSING", "MultiDictLike", "coerce_html_form", "coerce_value", "value_as_text"]
