"""Bilingual text as it appears in form files: ``{"zh": "...", "en": "..."}``.

Every human-readable string in a form file has this one shape, so analysts never
have to guess which keys take a plain string and which take a translation.
"""
from __future__ import annotations

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
