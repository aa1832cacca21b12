"""English names of processes and their steps, from configuration.

A BPMN element's `name` is the Chinese name people read by default; an analyst gives the English one in the
element's spiffworkflow property ``nameEn`` (on the process itself and on any flow element, docs/bpmn-conventions.md):

    <bpmn:userTask id="register" name="案卷建立（立案）">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="nameEn" value="Register the case" />

Work items, audit events and cases keep the Chinese name they were created with (the API and the audit
trail stay as they are); a page in English looks the English name up here, by the step's BPMN id or by
the name stored. The names are read once per deployed version (a version never changes: its content hash
keys the cache) and never from a workflow's state.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from threading import Lock

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models.definitions import ProcessVersion

NAME_EN = "nameEn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_PROPERTY = f"./{{{BPMN}}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Deployed files passed validation, but they came through the studio: no entities, no network, no DTD.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                              huge_tree=False)


def english_name_problem(value: str | None) -> bool:
    """A nameEn that says nothing, or that is not English (it holds Chinese characters)."""
    return value is not None and (not value.strip() or bool(_CJK.search(value)))


def name_en_of(element: etree._Element) -> str | None:
    """The element's own nameEn property, if it gives one."""
    for prop in element.iterfind(_PROPERTY):
        if prop.get("name") == NAME_EN:
            value = (prop.get("value") or "").strip()
            return value or None
    return None


@dataclass(frozen=True)
class VersionNames:
    """The English names one deployed version gives: its process's, and its elements' by BPMN id (with
    the Chinese name beside each, to find a step by the name a work item or audit event stored)."""

    process: str | None = None
    elements: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, English name)
    by_name: Mapping[str, str] = field(default_factory=dict)  # name -> English name (the first element's)

    def element(self, spec: str, name: str | None = None) -> str | None:
        """The English name of the element `spec` (with `name`: only if it is also called so)."""
        found = self.elements.get(spec)
        if found is None or (name is not None and found[0] != name.strip()):
            return None
        return found[1]

    def named(self, name: str) -> str | None:
        """The English name of an element called `name`."""
        return self.by_name.get(name.strip())


def read_names(bpmn_xml: str, process_key: str) -> VersionNames:
    """The nameEn properties of a deployed process's file: the process `process_key` and every element."""
    try:
        root = etree.fromstring(bpmn_xml.encode("utf-8"), parser=_XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return VersionNames()
    process_name = None
    elements: dict[str, tuple[str, str]] = {}
    by_name: dict[str, str] = {}
    for element in root.iter(f"{{{BPMN}}}*"):
        english = name_en_of(element)
        element_id = element.get("id")
        if english is None or not element_id:
            continue
        if etree.QName(element).localname == "process":
            if element_id == process_key:
                process_name = english
            continue
        name = (element.get("name") or "").strip()
        elements[element_id] = (name, english)
        if name:
            by_name.setdefault(name, english)
    return VersionNames(process_name, elements, by_name)


_CACHE_SIZE = 512
# (content hash, process key) -> names: equal hashes are equal files, so the cache is right across databases
# too; the key as well, since the processes of one file share its hash.
_cache: OrderedDict[tuple[str, str], VersionNames] = OrderedDict()
_lock = Lock()


@dataclass(frozen=True)
class Version:
    id: int
    process_key: str
    family: str | None
    names: VersionNames


@dataclass(frozen=True)
class NameBook:
    """Every deployed version's English names, newest first, for a page that names many processes and
    steps (a list): one small query of the versions table, the files read once per version ever."""

    versions: tuple[Version, ...] = ()  # newest first
    _by_id: dict[int, Version] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {v.id: v for v in self.versions})

    def version(self, version_id: int | None) -> Version | None:
        return self._by_id.get(version_id) if version_id is not None else None

    def _scope(self, process_key: str | None, version_id: int | None) -> tuple[list[Version], bool]:
        """The versions to look in, the step's own first; and whether they are its process's alone."""
        exact = self._by_id.get(version_id) if version_id is not None else None
        if exact is not None:
            process_key = exact.process_key
        others = [v for v in self.versions if v is not exact and (process_key is None or v.process_key == process_key)]
        return ([exact] if exact is not None else []) + others, process_key is not None

    def process(self, process_key: str | None, version_id: int | None = None) -> str | None:
        """The English name of the process: its version's, else the newest version's that gives one."""
        versions, scoped = self._scope(process_key, version_id)
        return next((v.names.process for v in versions if v.names.process), None) if scoped else None

    def family(self, family: str | None) -> str | None:
        """The English name of the newest process of `family` (the map's family filter)."""
        newest = next((v for v in self.versions if family and v.family == family), None)
        return self.process(newest.process_key, newest.id) if newest is not None else None

    def step(self, name: str | None, process_key: str | None = None, spec: str | None = None,
             version_id: int | None = None) -> str | None:
        """The English name of a step stored as `name` (its BPMN id `spec` when known): from its own version
        first, then the newer and older versions of its process. With neither process nor version known
        (a row that kept only the step), a step is matched by id and name together, or by name alone."""
        versions, scoped = self._scope(process_key, version_id)
        if spec:
            found = next((en for v in versions if (en := v.names.element(spec, None if scoped else name))), None)
            if found:
                return found
        return next((en for v in versions if (en := v.names.named(name))), None) if name else None


_VERSIONS = select(ProcessVersion.id, ProcessVersion.process_key, ProcessVersion.family,
                   ProcessVersion.content_hash).order_by(ProcessVersion.id.desc())


def name_book(session: Session) -> NameBook:
    """The English names of every deployed version. Reads the versions table's short columns; a version's
    file only the first time its content is seen by this process."""
    rows = session.execute(_VERSIONS).all()
    keys = {row.id: (row.content_hash, row.process_key) for row in rows}
    with _lock:
        known = {key: _cache[key] for key in keys.values() if key in _cache}
    missing = [version_id for version_id, key in keys.items() if key not in known]
    if missing:
        read = session.execute(select(ProcessVersion.id, ProcessVersion.bpmn_xml).where(ProcessVersion.id.in_(missing)))
        fresh = {keys[version_id]: read_names(xml, keys[version_id][1]) for version_id, xml in read}
        known.update(fresh)
        _remember(fresh)
    return NameBook(tuple(Version(row.id, row.process_key, row.family, known[keys[row.id]]) for row in rows))


def _remember(found: Mapping[tuple[str, str], VersionNames]) -> None:
    """Keep versions' names read from their files, the oldest dropped beyond the cache's size."""
    with _lock:
        _cache.update(found)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def version_names(session: Session, version_id: int) -> VersionNames:
    """The English names one deployed version gives (a case's page: its own version's)."""
    row = session.execute(select(ProcessVersion.content_hash, ProcessVersion.process_key)
                          .where(ProcessVersion.id == version_id)).first()
    if row is None:
        return VersionNames()
    key = (row.content_hash, row.process_key)
    with _lock:
        found = _cache.get(key)
    if found is None:
        xml = session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == version_id)) or ""
        found = read_names(xml, row.process_key)
        _remember({key: found})
    return found
