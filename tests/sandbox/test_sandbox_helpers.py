"""The documented helper functions and their registry."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from engine.errors import SandboxViolation
from engine.sandbox import describe_helpers, evaluate, register_helper, unregister_helper
from engine.sandbox.date_helpers import SHANGHAI

BUILT_IN = {
    "today", "now", "date", "datetime", "timedelta", "parse_date", "parse_datetime",
    "days_between", "add_days", "contains", "get",
}


@pytest.fixture
def temporary_helper() -> Iterator[str]:
    name = "double_it"
    yield name
    unregister_helper(name)


def test_every_built_in_helper_is_described_in_one_line() -> None:
    docs = describe_helpers()
    assert BUILT_IN <= docs.keys()
    for name in BUILT_IN:
        assert docs[name] and "\n" not in docs[name]


def test_now_is_shanghai_aware() -> None:
    value = evaluate("now()", {})
    assert value.utcoffset() == dt.timedelta(hours=8)


def test_today_is_the_shanghai_date() -> None:
    assert evaluate("today()", {}) == dt.datetime.now(SHANGHAI).date()


def test_date_constructors() -> None:
    assert evaluate("date(2024, 10, 1)", {}) == dt.date(2024, 10, 1)
    assert evaluate("datetime(2024, 10, 1, 9)", {}) == dt.datetime(2024, 10, 1, 9, tzinfo=SHANGHAI)
    assert evaluate("date(2024, 10, 1) + timedelta(days=2)", {}) == dt.date(2024, 10, 3)


def test_parse_date_accepts_dates_and_datetimes() -> None:
    assert evaluate("parse_date('2024-10-01')", {}) == dt.date(2024, 10, 1)
    # 20:00 UTC is already the next day in Shanghai.
    assert evaluate("parse_date('2024-10-01T20:00:00+00:00')", {}) == dt.date(2024, 10, 2)


def test_parse_datetime_reads_naive_values_as_shanghai_time() -> None:
    value = evaluate("parse_datetime('2024-10-01T09:00')", {})
    assert value == dt.datetime(2024, 10, 1, 9, tzinfo=SHANGHAI)
    assert evaluate("parse_datetime('2024-10-01T01:00Z')", {}).hour == 9


def test_parse_date_rejects_garbage_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="not an ISO date"):
        evaluate("parse_date('next tuesday')", {})


def test_days_between_counts_calendar_days() -> None:
    assert evaluate("days_between('2024-09-30', '2024-10-08')", {}) == 8
    assert evaluate("days_between(date(2024, 10, 8), '2024-09-30')", {}) == -8


def test_add_days_keeps_the_kind_of_value_it_was_given() -> None:
    assert evaluate("add_days('2024-09-30', 3)", {}) == "2024-10-03"
    assert evaluate("add_days(date(2024, 9, 30), -1)", {}) == dt.date(2024, 9, 29)
    assert evaluate("add_days('2024-09-30T10:00:00+08:00', 1)", {}) == "2024-10-01T10:00:00+08:00"


def test_contains_tolerates_missing_data() -> None:
    assert evaluate("contains(tags, 'gas')", {"tags": ["gas"]}) is True
    assert evaluate("contains(tags, 'gas')", {"tags": None}) is False
    assert evaluate("contains('gas leak', 'leak')", {}) is True
    assert evaluate("contains('abc', 3)", {}) is False


def test_get_follows_paths_and_defaults() -> None:
    case = {"address": {"district": "Huangpu"}, "units": [{"name": "fire"}]}
    assert evaluate("get(case, 'address')", {"case": case}) == {"district": "Huangpu"}
    assert evaluate("get(case, ['address', 'district'])", {"case": case}) == "Huangpu"
    assert evaluate("get(case, ['units', 0, 'name'])", {"case": case}) == "fire"
    assert evaluate("get(case, ['units', 5, 'name'], 'none')", {"case": case}) == "none"
    assert evaluate("get(None, 'x', 0)", {}) == 0


def test_get_never_reads_object_attributes() -> None:
    assert evaluate("get(1, '__class__', 'refused')", {}) == "refused"


def test_registered_helper_is_callable_and_described(temporary_helper: str) -> None:
    def double_it(n: int) -> int:
        """Twice n."""
        return n * 2

    register_helper(temporary_helper, double_it)
    assert evaluate("double_it(4)", {}) == 8
    assert describe_helpers()[temporary_helper] == "Twice n."


def test_helper_without_docstring_is_described_by_its_signature(temporary_helper: str) -> None:
    register_helper(temporary_helper, lambda n: n * 2)
    assert describe_helpers()[temporary_helper] == "double_it(n)"


def test_registering_a_taken_name_is_refused(temporary_helper: str) -> None:
    register_helper(temporary_helper, lambda n: n, doc="first")
    with pytest.raises(ValueError, match="already registered"):
        register_helper(temporary_helper, lambda n: n, doc="second")
    register_helper(temporary_helper, lambda n: n + 1, doc="second", replace=True)
    assert evaluate("double_it(1)", {}) == 2


def test_helper_names_must_not_be_private_or_shadow_builtins() -> None:
    with pytest.raises(ValueError):
        register_helper("_secret", lambda: 1, doc="x")
    with pytest.raises(ValueError):
        register_helper("len", lambda: 1, doc="x")


def test_helper_attributes_stay_guarded() -> None:
    with pytest.raises(SandboxViolation):
        evaluate("today.__globals__", {})
