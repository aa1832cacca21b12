"""The case page's diagram as people read it: lanes named by their role or department, the pool by the
process's name in the current language, and in English the elements an analyst gave an English name
(property nameEn) by that name. BPMN lanes name role codes (the routing reads them); the viewer would show
those codes as they are."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from xml.sax.saxutils import quoteattr

_LANE_NAME = re.compile(r'(<(?:[\w-]+:)?lane\b[^>]*?\bname=)("[^"]*"|\'[^\']*\')')
_POOL_NAME = re.compile(r'(<(?:[\w-]+:)?participant\b[^>]*?\bname=)("[^"]*"|\'[^\']*\')')
# A BPMN start tag and, inside it, its id and its name attributes.
_START_TAG = re.compile(r'<(?:[\w-]+:)?\w+\s[^<>]*>')
_ID = re.compile(r'\sid=("[^"]*"|\'[^\']*\')')
_NAME = re.compile(r'(\sname=)("[^"]*"|\'[^\']*\')')


def _unquoted(value: str) -> str:
    text = value[1:-1]
    return text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&amp;", "&")


def readable_diagram(xml: str, lane_name: Callable[[str], str], pool_name: Callable[[str], str],
                     element_names: Mapping[str, str] | None = None) -> str:
    """The same diagram with lane and pool labels replaced, and each element of `element_names` (BPMN id ->
    label) labelled so; ids, flows and layout untouched."""
    def relabel(name: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
        return lambda match: match.group(1) + quoteattr(name(_unquoted(match.group(2))))

    xml = _POOL_NAME.sub(relabel(pool_name), _LANE_NAME.sub(relabel(lane_name), xml))
    if element_names:
        xml = _START_TAG.sub(lambda tag: _renamed(tag.group(0), element_names), xml)
    return xml


def _renamed(tag: str, names: Mapping[str, str]) -> str:
    found = _ID.search(tag)
    label = names.get(_unquoted(found.group(1))) if found else None
    if label is None:
        return tag
    return _NAME.sub(lambda match: match.group(1) + quoteattr(label), tag, count=1)
