"""Bilingual text as it appears in form files: ``{"zh": "...", "en": "..."}``.

Every human-readable string in a form file has this one shape, so analysts never
have to guess which keys take a plain string and which take a translation.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

# zh-CN is the district's working language; every text must have it, en is optional.
DEFAULT_LANG = "zh"
LANGS = ("zh", "en")

Text = Mapping[str, str]


def normalize_lang(lang: str | None) -> str:
    """Map 'zh-CN', 'en_US', None... onto a supported language, falling back to zh."""
    base = (lang or DEFAULT_LANG).replace("_", "-").split("-")[0].lower()
    return base if base in LANGS else DEFAULT_LANG


def tr(text: Text | None, lang: str) -> str:
    """The text in ``lang``, or the Chinese text when that translation is missing."""
    if not text:
        return ""
    return text.get(normalize_lang(lang)) or text.get(DEFAULT_LANG) or ""


# "应急联动 Emergency linkage": the Chinese name, then the English one. The Chinese part ends at the last
# CJK character or full-width closing mark before the first Latin letter that follows it.
_BILINGUAL = re.compile(r"^(?P<zh>[^A-Za-z]*[\u3000-\u9fff\uff00-\uffef][^A-Za-z]*?)\s+(?P<en>[A-Za-z].*)$", re.S)


def split_bilingual(name: str | None) -> tuple[str, str]:
    """A name written in both languages in one string (a process's BPMN name) as (zh, en); a name in one
    language only is that name in both."""
    if not name:
        return "", ""
    match = _BILINGUAL.match(name.strip())
    if match is None:
        return name, name
    return match.group("zh").strip(), match.group("en").strip()
