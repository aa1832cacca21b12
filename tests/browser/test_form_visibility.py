"""Conditional fields are really hidden in the browser until the answer that calls for them is given."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import expect  # noqa: E402

from engine.demo.social_event import grid_worker_of  # noqa: E402


def test_caller_fields_stay_hidden_until_a_hotline_report_is_chosen(journey):
    page = journey.sign_in(grid_worker_of("S01C01G01"))
    page.goto("/start/social_event")
    caller = page.locator("[name=caller_name]")
    expect(caller).to_be_hidden()
    page.locator("input[name=report_channel][value=hotline]").check()
    expect(caller).to_be_visible()
    journey.shot(page, "hotline-shows-caller")
    page.locator("input[name=report_channel][value=grid_worker]").check()
    expect(caller).to_be_hidden()
