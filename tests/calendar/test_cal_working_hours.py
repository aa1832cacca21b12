"""Working-hours configuration: per organisation, a default, and YAML pitfalls caught."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from calendar_support import RULES

from engine.calendar import WorkingHours, load_working_hours
from engine.errors import DefinitionInvalid


def test_shipped_default_is_nine_to_twelve_and_two_to_six_seven_hours() -> None:
    config = load_working_hours(RULES / "working_hours.yaml")
    assert config.default == WorkingHours.standard()
    assert config.default.describe() == ["09:00-12:00", "14:00-18:00"]
    assert config.default.day_length == timedelta(hours=7)


def test_organisation_hours_override_the_default_and_unknown_ones_fall_back() -> None:
    config = load_working_hours(
        'default: ["09:00-12:00", "14:00-18:00"]\norganisations:\n  hall: ["08:30-12:00", "13:30-17:30"]\n'
    )
    assert config.for_organisation("hall").periods[0] == (time(8, 30), time(12, 0))
    assert config.for_organisation("hall").day_length == timedelta(hours=7, minutes=30)
    assert config.for_organisation("nobody") == config.default
    assert config.for_organisation(None) == config.default


def test_unquoted_yaml_times_are_rejected_not_misread_as_sexagesimal_numbers() -> None:
    # PyYAML reads 14:00 as 840; the loader must not accept that silently
    with pytest.raises(DefinitionInvalid) as info:
        load_working_hours("default:\n  - 9:00\n  - 14:00\n")
    assert "HH:MM-HH:MM" in str(info.value.details)


@pytest.mark.parametrize(
    "periods",
    [["14:00-18:00", "09:00-12:00"], ["09:00-12:00", "11:00-13:00"], ["18:00-09:00"], ["09:00-09:00"], []],
)
def test_overlapping_unordered_empty_or_overnight_periods_are_rejected(periods: list[str]) -> None:
    with pytest.raises(ValueError):
        WorkingHours.parse(periods)
