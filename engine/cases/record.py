"""A case as the people working it read it: its header and what each earlier step answered.

Built from the projections and the audit trail, never from the workflow: ``case_started`` and each
``task_completed`` row carry the answers their form accepted, and the form of that step labels them.
Only form fields appear, in the form's order, visible for those answers and not empty; what the process
keeps for itself (counters, logs, computed ids) is never shown here. Values are words: option labels,
the organisation's names, 是/否; a text answer its field marks ``ui:names`` (a grid cell, a subcategory
posted by another system) reads as the organisation or the social-event catalogue names it, or as it is
when they do not know the code.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.service import start_form_key
from engine.config import settings
from engine.definitions.catalogue import category_labels, category_name
from engine.definitions.names import VersionNames, version_names
from engine.definitions.versions import runtime_for
from engine.forms import FieldSpec, FormDefinition
from engine.forms.coerce import value_as_text
from engine.forms.dates import wall_clock
from engine.forms.definition import ContextFact
from engine.forms.i18n import normalize_lang, tr
from engine.org.service import display_names, unit_names
from engine.runtime.parsing import spiff_properties
from engine.runtime.subscriptions import spec_message_members
from engine.sla.case_marks import DeadlineMarks, PauseMark, deadline_marks
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

_WORDS: dict[str, dict[str, str]] = {
    "zh": {"yes": "是", "no": "否", "separator": "、"},
    "en": {"yes": "Yes", "no": "No", "separator": ", "},
}
STEP_ACTIONS = ("case_started", "task_completed", "message_received")


@dataclass(frozen=True)
class Answer:
    """One answered field: ``name`` identifies it for the page's markup and is never shown."""

    name: str
    label: str
    text: str  # the value in words; "" for attachments
    widget: str
    help: str = ""
    attachments: tuple[Mapping[str, Any], ...] = ()  # {"name", "content_type", "size", "url"}
    value: Any = None  # the typed value, for a page that formats dates in its reader's time zone


@dataclass(frozen=True)
class CodeNames:
    """What codes read as, for the answers of fields marked ``ui:names``: unit code -> (zh, en), category
    code -> its label (text or {zh, en})."""

    units: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    categories: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    title: str  # the task's name, or the start form's title
    actor: str  # display name
    at: datetime
    answers: tuple[Answer, ...]
    task_id: str | None = None


@dataclass(frozen=True)
class Deadline:
    task_name: str  # "" for the case's own limit
    due_at: datetime
    sla_state: str | None = None
    unit: str = ""  # the department's name, when other open steps have the same name (each agency's 接警确认)
    # Years without an official holiday calendar the deadline was computed over (shown as provisional).
    provisional_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class CaseHeader:
    business_key: str
    title: str
    category: str
    address: str
    grid_cell: str
    reporter: str
    opened_at: datetime
    deadlines: tuple[Deadline, ...] = ()
    # The case's limits stand still (补正, site inspection, expert review): its deadline reads the pause.
    pause: PauseMark | None = None


@dataclass(frozen=True)
class CaseRecord:
    header: CaseHeader
    steps: tuple[Step, ...]
    # What the process computed for the task being looked at, under its form's labels (a proposed unit).
    facts: tuple[Answer, ...] = field(default=())


def case_record(session: Session, case: Case, lang: str = "zh", current: WorkItem | None = None,
                marks: DeadlineMarks | None = None) -> CaseRecord:
    """The record of a case the caller has already been allowed to see.

    With ``current`` (the task whose page shows it) its own step is left out, since its form is on the
    page below, and the facts its form asks to show are read from the case data."""
    lang = normalize_lang(lang)
    runtime = runtime_for(session, case.process_version_id)
    # Steps are titled by the names stored with them; in English by the names the version gives (nameEn).
    english = version_names(session, case.process_version_id) if lang == "en" else VersionNames()
    items = {item.id: item for item in session.scalars(select(WorkItem).where(WorkItem.case_id == case.id))}
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                           AuditEvent.action.in_(STEP_ACTIONS))
                                  .order_by(AuditEvent.id)))
    people = display_names(session, [case.opened_by, *(e.actor for e in events)], lang)
    names = unit_names(session)
    codes = CodeNames(names, category_labels(session))
    steps: list[Step] = []
    for event in events:
        if current is not None and event.task_id == current.id:
            continue
        if event.action == "case_started":
            form, title = _start_form(runtime), ""
        elif event.action == "message_received":
            # A report to the case through a catch event's form (级别调整, 单位处置完毕): its answers are the payload.
            details = event.details or {}
            catch_key, catch_name = _message_catches(runtime).get(str(details.get("message") or ""), (None, ""))
            key = details.get("form") or catch_key
            # Titled by what was reported: the catch event that took it (单位接警, 单位到场: three reports
            # share the agency-status form), else its form's title; never by the events that waited in the
            # main loop, whose names ("等待现场报告", several joined) say nothing about the report.
            form = runtime.form(key) if key else None
            title = _shown(english, catch_name if form is not None else event.task_name or "")
            payload = details.get("payload")
            if form is not None and isinstance(payload, Mapping):
                found = answers(form, payload, lang, codes)
                if found:
                    steps.append(Step(title or form.title_text(lang), people.get(event.actor, event.actor), event.at,
                                      tuple(found), None))
            continue
        else:
            item = items.get(event.task_id or "")
            form, title = ((runtime.form(item.form_key), _shown(english, item.task_name, item.task_spec)) if item
                           else (None, _shown(english, event.task_name or "")))
        if form is None:
            continue
        found = answers(form, event.after or {}, lang, codes)
        if found:
            steps.append(Step(title or form.title_text(lang), people.get(event.actor, event.actor), event.at,
                              tuple(found), event.task_id))
    facts: tuple[Answer, ...] = ()
    if current is not None and current.status == WorkItemStatus.OPEN:
        form = runtime.form(current.form_key)
        facts = tuple(_facts(form.context if form else (), case.data or {}, names, lang))
    open_items = [i for i in items.values() if i.status == WorkItemStatus.OPEN and i.due_at is not None]
    marks = marks or deadline_marks(session, case, [i.id for i in open_items])
    return CaseRecord(_header(case, steps, people, names, open_items, marks, lang, english), tuple(steps), facts)


def _shown(english: VersionNames, name: str, spec: str | None = None) -> str:
    """A step's stored name, or the English name its version gives it (`english` is empty in Chinese)."""
    if not name:
        return name
    return (english.element(spec) if spec else None) or english.named(name) or name


def _message_catches(runtime: Any) -> dict[str, tuple[str, str]]:
    """message name -> (form key, name) of the catch event with a form that takes it: the form for reports
    recorded before the audit trail named it, the name to title the report by. The event people report
    into (no correlation: the case page offers it) wins over a correlated one that the same message also
    reaches (an agency task's boundary event, 已由消息接警)."""
    found: dict[str, tuple[str, str]] = {}
    correlated: dict[str, tuple[str, str]] = {}
    for spec in [runtime.parsed.spec, *runtime.parsed.subprocess_specs.values()]:
        for task in spec.task_specs.values():
            # A catch event behind an event-based gateway holds the properties, the gateway the definition.
            for definition, catch in spec_message_members(task):
                properties = spiff_properties(catch)
                key = properties.get("formKey")
                if key:
                    chosen = correlated if properties.get("correlation") else found
                    chosen.setdefault(definition.name, (key, catch.bpmn_name or ""))
    return {**correlated, **found}


def _start_form(runtime: Any) -> FormDefinition | None:
    return runtime.form(start_form_key(runtime))


def answers(form: FormDefinition, data: Mapping[str, Any], lang: str, codes: CodeNames | None = None) -> list[Answer]:
    """The form's visible, non-empty fields among ``data``, in the form's order, in words; ``codes`` names
    the answers of fields marked ``ui:names`` (without it they read as they were answered)."""
    visible = form.visible_fields(data)
    return [_answer(spec, data[spec.name], lang, codes) for spec in form.fields
            if spec.name in visible and spec.name in data and not _empty(data[spec.name])]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _named(codes: CodeNames, kind: str, value: Any, lang: str) -> str:
    """A code by its name in the organisation or the catalogue; a code they do not know as it is."""
    if kind == "organisation":
        return _unit_name(codes.units, value, lang)
    return category_name(codes.categories, value, lang) or value_as_text(value)


def _answer(spec: FieldSpec, value: Any, lang: str, codes: CodeNames | None = None) -> Answer:
    words = _WORDS[lang]
    help_text = tr(spec.help, lang)
    if spec.widget == "attachments":
        files = tuple(a for a in value if isinstance(a, Mapping)) if isinstance(value, list) else ()
        return Answer(spec.name, spec.label(lang), "", spec.widget, help_text, files, value)
    if isinstance(value, bool):
        text = words["yes"] if value else words["no"]
    elif spec.options:
        chosen = value if isinstance(value, list) else [value]
        text = words["separator"].join(spec.option_label(v, lang) or value_as_text(v) for v in chosen)
    elif spec.widget == "datetime" and isinstance(value, str):
        text = _local_time_text(value)
    elif spec.names and codes is not None and isinstance(value, str | int):
        text = _named(codes, spec.names, value, lang)
    elif isinstance(value, list):
        text = words["separator"].join(value_as_text(v) for v in value)
    else:
        text = value_as_text(value)
    return Answer(spec.name, spec.label(lang), text, spec.widget, help_text, (), value)


def _local_time_text(value: str) -> str:
    moment = wall_clock(value, settings().tz)
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else value


def _facts(wanted: Iterable[ContextFact], data: Mapping[str, Any], names: Mapping[str, tuple[str, str]],
           lang: str) -> list[Answer]:
    found: list[Answer] = []
    for fact in wanted:
        value = data.get(fact.key)
        if _empty(value):
            continue
        values = value if isinstance(value, list) else [value]
        shown = [_unit_name(names, v, lang) if fact.names_units else value_as_text(v) for v in values]
        found.append(Answer(fact.key, tr(fact.title, lang), _WORDS[lang]["separator"].join(shown), "text"))
    return found


def _unit_name(names: Mapping[str, tuple[str, str]], code: Any, lang: str) -> str:
    zh, en = names.get(str(code), ("", ""))
    return (en if lang == "en" and en else zh) or str(code)


def _header(case: Case, steps: list[Step], people: Mapping[str, str], names: Mapping[str, tuple[str, str]],
            open_items: list[WorkItem], marks: DeadlineMarks, lang: str,
            english: VersionNames | None = None) -> CaseHeader:
    """The header's words come from the latest answer of that name (立案 may reclassify what was reported)."""
    latest = {answer.name: answer.text for step in steps for answer in step.answers}
    grid_cell = latest.get("grid_cell") or (_unit_name(names, case.grid_cell, lang) if case.grid_cell else "")
    dated = [i for i in sorted(open_items, key=_due) if i.due_at]
    shared = {name for name in (i.task_name for i in dated) if sum(1 for j in dated if j.task_name == name) > 1}
    deadlines = [Deadline(_shown(english or VersionNames(), i.task_name, i.task_spec), i.due_at, i.sla_state,
                          _unit_name(names, i.department, lang) if i.task_name in shared and i.department else "",
                          marks.provisional.get(i.id, ()))
                 for i in dated]
    if case.due_at is not None:
        deadlines.append(Deadline("", case.due_at, provisional_years=marks.case_provisional))
    return CaseHeader(case.business_key, case.title, latest.get("category", ""), latest.get("address", ""),
                      grid_cell, people.get(case.opened_by or "", case.opened_by or ""), case.opened_at,
                      tuple(deadlines), marks.pause)


def _due(item: WorkItem) -> datetime:
    assert item.due_at is not None
    return item.due_at
