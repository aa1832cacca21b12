"""The case page's diagram as people read it: lanes named by their role or department, the pool by the
process's name in the current language. BPMN lanes name role codes (the routing reads them); the viewer
would show those codes as they are."""
from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import quoteattr

_LANE_NAME = re.compile(r'(<(?:[\w-]+:)?lane\b[^>]*?\bname=)("[^"]*"|\'[^\']*\')')
_POOL_NAME = re.compile(r'(<(?:[\w-]+:)?participant\b[^>]*?\bname=)("[^"]*"|\'[^\']*\')')


def _unquoted(value: str) -> str:
    text = value[1:-1]
    return text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&amp;", "&")


def readable_diagram(xml: str, lane_name: Callable[[str], str], pool_name: Callable[[str], str]) -> str:
    """The same diagram with lane and pool labels replaced; ids, flows and layout untouched."""
    def relabel(name: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
        return lambda match: match.group(1) + quoteattr(name(_unquoted(match.group(2))))

    return _POOL_NAME.sub(relabel(pool_name), _LANE_NAME.sub(relabel(lane_name), xml))
