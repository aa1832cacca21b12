"""What the engine operations a rule action names do (engine.rules.operations lists the names).

Each operation takes the session, the match and the action's (rendered) arguments and returns a
small dict describing what it did; it runs in the caller's transaction, inside a SAVEPOINT of its own.

An action touches cases other than the one whose event it reacts to (the reports of a hot-spot window,
a remembered case), and people and workers change those at the same time. A concurrent change of such
a case shows as a version conflict when the action writes it; the action is then rolled back to its
savepoint and run again on the cases as committed now, a bounded number of times, and only then
refused with a Conflict (409). The start or event that set the rule off is never lost to a 500.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.audit.service import record
from engine.cases.links import link_cases
from engine.cases.service import start_case
from engine.definitions.catalogue import category_labels, category_name
from engine.errors import Conflict, InvalidInput
from engine.forms.filling import Filler
from engine.org.access import Actor
from engine.rules.adapter import Match
from engine.rules.operations import OPERATION_NAMES
from engine.rules.templates import render
from engine.sla.notify import notify, users_with_role
from engine.store.models.cases import Case
from engine.store.models.org import OrgUnit


@dataclass(frozen=True)
class ActionContext:
    session: Session
    match: Match
    actor: str

    def values(self) -> dict[str, Any]:
        """What an action's arguments may name: the event's fields, and the words for its codes that titles
        use (a hot spot is 热点：0104 市容环境·道路不洁（桂园社区第1网格）). Read only when an action runs; a code
        the catalogue or the organisation does not know (an event posted from outside) reads as itself."""
        event = self.match.event
        subcategory, cell = event.get("subcategory"), event.get("grid_cell")
        labels = category_labels(self.session) if subcategory else {}
        zh, en = (category_name(labels, subcategory, lang) if subcategory else "" for lang in ("zh", "en"))
        unit = self.session.execute(select(OrgUnit.name_zh, OrgUnit.name_en).where(OrgUnit.code == cell)).first() \
            if cell else None
        cell_zh, cell_en = (unit.name_zh, unit.name_en or unit.name_zh) if unit is not None else (cell, cell)
        # *_en: the same words in English, for a notify action's message_en.
        names = {"subcategory_name": zh or subcategory, "grid_cell_name": cell_zh,
                 "subcategory_name_en": en or zh or subcategory, "grid_cell_name_en": cell_en}
        return {**names, **event, "window_count": len(self.match.window), "rule": self.match.rule.name,
                "ruleset": self.match.ruleset}

    def cases(self, target: str | None) -> list[Case]:
        """The cases an action points at: the event's, the window's, or the remembered one's."""
        if target == "window":
            payloads = list(self.match.window)
        elif target == "after":
            payloads = [self.match.after] if self.match.after else []
        elif target == "event":
            payloads = [self.match.event]
        else:
            return []
        found: list[Case] = []
        for payload in payloads:
            case_id = payload.get("case_id")
            case = self.session.get(Case, case_id) if isinstance(case_id, int) else None
            if case is not None and case not in found:
                found.append(case)
        return found


Operation = Callable[[ActionContext, dict[str, Any]], dict[str, Any]]
OPERATIONS: dict[str, Operation] = {}
# Runs of one action against concurrent writers before it gives up with a Conflict. Each retry
# re-reads the cases as committed, so only a case changed again and again in that instant exhausts it.
ATTEMPTS = 4


def register_operation(name: str, operation: Operation) -> None:
    OPERATIONS[name] = operation


def run_action(context: ActionContext, action: dict[str, Any]) -> dict[str, Any]:
    operation = OPERATIONS.get(action["operation"])
    if operation is None:
        raise InvalidInput(f"rule {context.match.ruleset}.{context.match.rule.name}: unknown operation "
                           f"'{action['operation']}'")
    args = render({k: v for k, v in action.items() if k != "operation"}, context.values())
    result = _run_in_savepoint(context, action["operation"], operation, args)
    return {"ruleset": context.match.ruleset, "rule": context.match.rule.name, "operation": action["operation"],
            **result}


def _run_in_savepoint(context: ActionContext, name: str, operation: Operation, args: dict[str, Any]) -> dict[str, Any]:
    session = context.session
    for attempt in range(1, ATTEMPTS + 1):
        try:
            # Leaving the block flushes: a version conflict on a case the action changed shows here.
            with session.begin_nested():
                return operation(context, args)
        except StaleDataError as exc:
            if attempt == ATTEMPTS:
                raise Conflict(f"rule {context.match.ruleset}.{context.match.rule.name}: '{name}' met cases "
                               f"changed by someone else {ATTEMPTS} times; try again") from exc
            # Everything before the savepoint is flushed: expiring the case rows loses nothing and
            # makes the next run read each case as committed now.
            for case in [obj for obj in session.identity_map.values() if isinstance(obj, Case)]:
                session.expire(case)
    raise AssertionError("unreachable")


# -- built-in operations ---------------------------------------------------------------------
def _start_case(context: ActionContext, args: dict[str, Any]) -> dict[str, Any]:
    started = start_case(context.session, str(args["process"]), dict(args.get("data") or {}), Actor(context.actor),
                         filler=Filler.RULES)
    linked = []
    for case in context.cases(args.get("link")):
        link_cases(context.session, started, case, str(args.get("link_kind") or context.match.rule.name), context.actor)
        linked.append(case.business_key)
    record(context.session, actor=context.actor, action="rule_fired", case_id=started.id,
           details={"ruleset": context.match.ruleset, "rule": context.match.rule.name, "linked": linked})
    return {"case_id": started.id, "case_key": started.business_key, "linked": linked}


def _raise_priority(context: ActionContext, args: dict[str, Any]) -> dict[str, Any]:
    to = int(args.get("to", 1))
    changed = []
    for case in context.cases(args.get("target", "event")):
        if case.priority > to:
            record(context.session, actor=context.actor, action="priority_raised", case_id=case.id,
                   before={"priority": case.priority}, after={"priority": to},
                   details={"rule": f"{context.match.ruleset}.{context.match.rule.name}"})
            case.priority = to
            changed.append(case.business_key)
    return {"cases": changed, "priority": to}


def _link_cases(context: ActionContext, args: dict[str, Any]) -> dict[str, Any]:

    links = []
    for source in context.cases(args.get("from", "event")):
        for target in context.cases(args.get("to", "after")):
            if source.id != target.id:
                link_cases(context.session, source, target, str(args.get("kind") or context.match.rule.name),
                           context.actor)
                links.append([source.business_key, target.business_key])
    return {"links": links}


def _flag_case(context: ActionContext, args: dict[str, Any]) -> dict[str, Any]:
    flagged = []
    for case in context.cases(args.get("target", "event")):
        record(context.session, actor=context.actor, action="case_flagged", case_id=case.id,
               details={"flag": args.get("flag"), "rule": f"{context.match.ruleset}.{context.match.rule.name}",
                        "because_of": (context.match.after or {}).get("case_key")})
        flagged.append(case.business_key)
    return {"flag": args.get("flag"), "cases": flagged}


def _notify(context: ActionContext, args: dict[str, Any]) -> dict[str, Any]:
    """The action's `message` (Chinese) and `message_en` (English, optional) as rendered from the event;
    without a message, the notice says which rule matched."""
    recipients = users_with_role(context.session, str(args.get("role") or "supervisor"))
    cases = context.cases(args.get("target", "event"))
    rule, ruleset = context.match.rule.name, context.match.ruleset
    said = {lang: str(args[name])[:500] for lang, name in (("zh", "message"), ("en", "message_en")) if args.get(name)}
    if "zh" in said:
        message, key, params = said["zh"], "rule.said", {"said": said}
    else:
        message, key, params = f"规则 {rule} 已触发（{ruleset}）", "rule.matched", {"rule": rule, "ruleset": ruleset,
                                                                              **({"said": said} if said else {})}
    notify(context.session, recipients, "rule", message, case_id=cases[0].id if cases else None,
           created_by=context.actor, message_key=key, params=params)
    return {"recipients": recipients, "message": args.get("message")}


for _name, _operation in (("start_case", _start_case), ("raise_priority", _raise_priority),
                          ("link_cases", _link_cases), ("flag_case", _flag_case), ("notify", _notify)):
    register_operation(_name, _operation)

assert set(OPERATIONS) == OPERATION_NAMES, "engine.rules.operations.OPERATION_NAMES must list every operation"
