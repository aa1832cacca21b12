"""Everything the case page and the case API detail show, read in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.audit.service import history
from engine.cases.display_status import CaseDisplay, display_status
from engine.cases.record import CaseRecord, case_record
from engine.cases.service import start_form_key
from engine.definitions.names import VersionNames, version_names
from engine.definitions.versions import VersionRuntime, runtime_for
from engine.forms import FormDefinition
from engine.forms.i18n import normalize_lang
from engine.org.access import Actor, may_report, visible_case, visible_cases_among
from engine.org.service import display_names
from engine.runtime.parsing import spiff_properties
from engine.sla.case_marks import PauseMark, deadline_marks
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case, CaseLink
from engine.store.models.definitions import ProcessVersion
from engine.store.models.incidents import Incident, IncidentStatus
from engine.store.models.messages import MessageSubscription
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import CaseStatus, TimerStatus, WorkItemStatus


@dataclass
class LinkedCase:
    case_id: int
    business_key: str
    title: str
    status: str
    kind: str
    direction: str  # "to" (this case links to it) or "from"
    process_key: str = ""  # what the linked case is, named on the page instead of the message that linked it
    openable: bool = True  # whether the viewer may open it: a page never links to a 404


@dataclass(frozen=True)
class WaitingMessage:
    """A message the running case waits for that people report from the case page (an agency finished,
    the grade changed, …): a catch event with a form, addressed to the case as a whole (no correlation),
    and not one the process throws to itself (a task done in the inbox reporting to the main loop)."""

    name: str
    label: str  # the catch event's name in the diagram (单位处置完毕, 级别调整, …)
    form: FormDefinition
    lane: str | None = None  # the role whose lane the catch event is drawn in: who reports it
    reportable: bool = True  # whether the person viewing may report it (engine.org.access.may_report)


@dataclass
class CaseView:
    case: Case
    version: ProcessVersion
    items: list[WorkItem]
    events: list[AuditEvent]
    timers: list[Timer]
    links: list[LinkedCase] = field(default_factory=list)
    # The version's forms in the order this case met them (start form, then its tasks'), then the rest:
    # the case page labels each data value with the field that asked for it.
    forms: list[FormDefinition] = field(default_factory=list)
    # username -> display name for everyone the page names (timeline actors, assignees, who opened it).
    people: dict[str, str] = field(default_factory=dict)
    # Its incidents, open ones first: what keeps the case from moving, in words (engine.incidents).
    incidents: list[Incident] = field(default_factory=list)
    # What each step answered, under its form's labels (engine.cases.record, as the task page shows it).
    record: CaseRecord | None = None
    # What the case waits for, as people read it (engine.cases.display_status).
    display: CaseDisplay | None = None
    # The messages people may send it from the case page, as the API's POST /cases/<id>/messages does.
    messages: list[WaitingMessage] = field(default_factory=list)
    # Its limits stand still (补正, site inspection, expert review): the deadlines read the pause, not a date.
    pause: PauseMark | None = None
    # Open work item id -> the years without an official holiday calendar its deadline was computed over;
    # and those of the case's own deadline (engine.sla.case_marks).
    provisional: dict[str, tuple[int, ...]] = field(default_factory=dict)
    case_provisional: tuple[int, ...] = ()

    @property
    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.is_open and i.blocking]

    def person(self, username: str | None) -> str:
        return self.people.get(username or "", username or "")

    @property
    def open_items(self) -> list[WorkItem]:
        return [i for i in self.items if i.status == WorkItemStatus.OPEN]

    @property
    def current_elements(self) -> list[str]:
        """BPMN element ids to highlight: open user tasks and waiting timer events."""
        ids = [i.task_spec for i in self.open_items]
        return ids

    @property
    def data(self) -> dict[str, Any]:
        return self.case.data or {}


def case_view(session: Session, case_id: int, actor: Actor, history_limit: int = 500, lang: str = "zh",
              with_record: bool = False) -> CaseView:
    case = visible_case(session, actor, case_id)  # NotFound, as for a missing id, when they may not see it
    version = session.get(ProcessVersion, case.process_version_id)
    items = list(session.scalars(select(WorkItem).where(WorkItem.case_id == case.id).order_by(WorkItem.created_at)))
    timers = list(session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.status == TimerStatus.PENDING)
                                  .order_by(Timer.due_at)))
    links: list[LinkedCase] = []
    for link in session.scalars(select(CaseLink).where(or_(CaseLink.from_case_id == case.id,
                                                           CaseLink.to_case_id == case.id))):
        other_id = link.to_case_id if link.from_case_id == case.id else link.from_case_id
        other = session.get(Case, other_id)
        if other is not None:
            links.append(LinkedCase(other.id, other.business_key, other.title, other.status, link.kind,
                                    "to" if link.from_case_id == case.id else "from", other.process_key))
    openable = visible_cases_among(session, actor, [link.case_id for link in links])
    for linked in links:
        linked.openable = linked.case_id in openable
    assert version is not None
    events = history(session, case.id, limit=history_limit)
    named = [case.opened_by, *(e.actor for e in events), *(i.assignee for i in items), *(i.completed_by for i in items)]
    incidents = list(session.scalars(select(Incident).where(Incident.case_id == case.id)
                                     .order_by(Incident.status != IncidentStatus.OPEN, Incident.id.desc())))
    # Read once for the page: the record's header shows the same marks.
    marks = deadline_marks(session, case, [i.id for i in items if i.status == WorkItemStatus.OPEN])
    return CaseView(case, version, items, events, timers, links, _forms_in_case_order(session, case, items),
                    display_names(session, named, lang), incidents,
                    case_record(session, case, lang, marks=marks) if with_record else None,
                    display_status(session, case), waiting_messages(session, case, actor, lang), marks.pause,
                    dict(marks.provisional), marks.case_provisional)


def waiting_messages(session: Session, case: Case, actor: Actor | None = None, lang: str = "zh") -> list[WaitingMessage]:
    """What the case waits for that people report from its page, one entry per message name, each marked
    whether `actor` may report it (everyone, when no actor is given); labelled by the catch event's name, in
    English by the English name its version gives it (nameEn)."""
    if case.status != CaseStatus.RUNNING:
        return []
    subscriptions = list(session.scalars(select(MessageSubscription).where(
        MessageSubscription.case_id == case.id, MessageSubscription.form_key.is_not(None))
        .order_by(MessageSubscription.id)))
    if not subscriptions:
        return []
    runtime = runtime_for(session, case.process_version_id)
    specs = _specs(runtime)
    catching = _task_specs(specs)
    thrown = _messages_thrown(specs)
    english = version_names(session, case.process_version_id) if normalize_lang(lang) == "en" else VersionNames()
    found: dict[str, WaitingMessage] = {}
    for sub in subscriptions:
        form = runtime.form(sub.form_key)
        if form is None or sub.correlation or sub.message_name in thrown or sub.message_name in found:
            continue
        task = catching.get(sub.task_spec)
        lane = getattr(task, "lane", None)
        label = english.element(sub.task_spec) or getattr(task, "bpmn_name", None) or form.title_text(lang)
        found[sub.message_name] = WaitingMessage(sub.message_name, label, form, lane,
                                                 actor is None or may_report(actor, lane))
    return list(found.values())


def _specs(runtime: Any) -> list[Any]:
    return [runtime.parsed.spec, *runtime.parsed.subprocess_specs.values()]


def _task_specs(specs: list[Any]) -> dict[str, Any]:
    return {name: task for spec in specs for name, task in spec.task_specs.items()}


def waiting_lanes(session: Session, case: Case, message_name: str) -> set[str | None]:
    """The lanes of the catch events of `case` waiting for `message_name` (None for one in no lane)."""
    task_specs = list(session.scalars(select(MessageSubscription.task_spec).where(
        MessageSubscription.case_id == case.id, MessageSubscription.message_name == message_name)))
    if not task_specs:
        return set()
    catching = _task_specs(_specs(runtime_for(session, case.process_version_id)))
    return {getattr(catching.get(name), "lane", None) for name in task_specs}


def _messages_thrown(specs: list[Any]) -> set[str]:
    names = set()
    for spec in specs:
        for task in spec.task_specs.values():
            kind = type(task).__name__
            definition = getattr(task, "event_definition", None)
            if ("Throw" in kind or kind == "EndEvent") and type(definition).__name__ == "MessageEventDefinition":
                names.add(definition.name)
    return names


def _forms_in_case_order(session: Session, case: Case, items: list[WorkItem]) -> list[FormDefinition]:
    runtime = runtime_for(session, case.process_version_id)
    # Only this process's forms: the deployment holds every family's, and another family's field of the
    # same name (a category, a grid cell) must not label this case's value.
    keys = [start_form_key(runtime), *(item.form_key for item in items), *sorted(_process_form_keys(runtime))]
    ordered: dict[str, FormDefinition] = {}
    for key in keys:
        form = runtime.form(key)
        if form is not None and key not in ordered:
            ordered[key] = form
    return list(ordered.values())


def _process_form_keys(runtime: VersionRuntime) -> set[str]:
    specs = [runtime.parsed.spec, *runtime.parsed.subprocess_specs.values()]
    return {key for spec in specs for task in spec.task_specs.values()
            if (key := spiff_properties(task).get("formKey"))}


def open_tasks(session: Session, case_id: int) -> list[WorkItem]:
    """The case's open tasks in the order they opened: what a just-started case asks for first."""
    return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id,
                                                       WorkItem.status == WorkItemStatus.OPEN)
                                .order_by(WorkItem.created_at, WorkItem.id)))
