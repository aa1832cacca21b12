"""Fixtures of the family tests (shared steps and constants: helpers.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.families.helpers import T0


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Time frozen at T0 (10:00 in Shanghai); ``clock.shift(timedelta(...))`` moves it on."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller
