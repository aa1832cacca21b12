"""How time-limit notices read: Chinese, the district's working language, with local times.

A notification's Chinese text is worded once, when it is made, and stored; its key and facts let the web
app word it again in the reader's language, with the same unit words for amounts.
"""
from __future__ import annotations

from datetime import UTC, datetime

from engine.config import settings

# unit code -> (zh, en); the codes stay in data, rule files and the API.
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "working_days": ("工作日", "working days"),
    "working_hours": ("工作小时", "working hours"),
    "days": ("天", "days"),
    "hours": ("小时", "hours"),
    "minutes": ("分钟", "minutes"),
}
# Counted in Chinese with the measure word 个: 2 个工作日, but 2 天.
_COUNTED = frozenset({"working_days", "working_hours"})


def unit_words(unit: str | None, lang: str = "zh") -> str:
    zh, en = UNIT_WORDS.get(unit or "", (unit or "", unit or ""))
    return zh if lang == "zh" else en


def amount_in_words(amount: float, unit: str | None, lang: str = "zh") -> str:
    """`2, working_days` as '2 个工作日' / '2 working days'."""
    counter = "个" if lang == "zh" and unit in _COUNTED else ""
    return f"{amount:g} {counter}{unit_words(unit, lang)}".strip()


def local_minute(at: datetime) -> str:
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M")
