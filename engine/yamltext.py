"""YAML configuration files (organisation, time limits, calendars, bulletins, rule files) parsed by libyaml.

PyYAML's pure-Python parser took about a second for the shipped organisation alone (the demo users), and
validate, deploy and every test database read it; libyaml's parser (`CSafeLoader`, in PyYAML's wheels) is
the same safe loader in C. A file libyaml refuses is parsed again by the Python parser, whose wording (and
snippet) the problem texts and the analysts know; without libyaml the Python one is used throughout."""
from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The document `text` holds, with only plain YAML types (as yaml.safe_load)."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError:
        if SAFE_LOADER is yaml.SafeLoader:
            raise
    return yaml.safe_load(text)  # raises the same mistake in the Python parser's words
