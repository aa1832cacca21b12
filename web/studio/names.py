"""What the studio's editors offer to choose from (engine.definitions.studio), as the page's reader reads it.

Each choice reads as its name in the page's language; its code is only the value the file keeps. Two choices
that would read the same are told apart by what a person would say (a role or a department, the street a
street office belongs to, the processes that use a form, the file a decision is in, the name in the other
language), never by their codes.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from engine.definitions.studio import Choice, DecisionSource, DefinitionFile
from web.i18n import _


def _name(choice: Choice, zh: bool) -> str:
    return choice.label_zh if zh else (choice.label_en or choice.label_zh)


def _kind_word(kind: str) -> str:
    return {"role": _("role"), "department": _("department")}.get(kind, "")


def _asides(choice: Choice, zh: bool) -> list[str]:
    """What tells the choice from a namesake, most telling first, one slot each (empty: nothing to say)."""
    within = choice.within[0 if zh else 1] if choice.within else ""
    other = choice.label_en if zh else choice.label_zh
    return [_kind_word(choice.kind), within, other or ""]


def _with_asides(name: str, asides: Sequence[str], zh: bool) -> str:
    if not asides:
        return name
    return f"{name}（{'，'.join(asides)}）" if zh else f"{name} ({', '.join(asides)})"


def told_apart(choices: Sequence[Choice], zh: bool) -> list[str]:
    """The label of each choice: its name, with asides where namesakes would read the same.

    Namesakes get the first aside that differs among them (a role's and a department's kind; two street
    offices' streets; …); any still alike are numbered."""
    names = [_name(c, zh) for c in choices]
    asides = [_asides(c, zh) for c in choices]
    added: list[list[str]] = [[] for _c in choices]
    for slot in range(len(asides[0]) if asides else 0):
        alike: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(names):
            alike[_with_asides(name, added[i], zh)].append(i)
        for group in alike.values():
            words = [asides[i][slot] for i in group]
            if len(group) > 1 and len(set(words)) > 1:
                for i, word in zip(group, words, strict=True):
                    if word:
                        added[i].append(word)
    labels = [_with_asides(name, more, zh) for name, more in zip(names, added, strict=True)]
    counts, seen = Counter(labels), Counter[str]()
    for i, label in enumerate(labels):
        if counts[label] > 1:
            seen[label] += 1
            labels[i] = _with_asides(names[i], [*added[i], str(seen[label])], zh)
    return labels


def choice_list(choices: Sequence[Choice], zh: bool) -> list[dict[str, Any]]:
    """[{value, label}] for a page, plus the group (roles, departments) of a choice that has a kind."""
    groups = {"role": _("Roles"), "department": _("Departments")}
    listed = []
    for choice, label in zip(choices, told_apart(choices, zh), strict=True):
        item: dict[str, Any] = {"value": choice.value, "label": label}
        if choice.kind in groups:
            item["group"] = groups[choice.kind]
        listed.append(item)
    return listed


def decision_source_list(sources: Sequence[DecisionSource]) -> list[dict[str, Any]]:
    """The decisions a form's options may come from, each with its inputs, labelled by their (Chinese) names;
    namesakes among the decisions, or among one decision's inputs, are told apart."""
    decision_labels = told_apart([Choice(s.value, s.label, s.label, within=s.within) for s in sources], zh=True)
    listed = []
    for source, label in zip(sources, decision_labels, strict=True):
        input_labels = told_apart([Choice(i.value, i.label, i.label) for i in source.inputs], zh=True)
        listed.append({"value": source.value, "label": label, "inputs": [
            {"value": i.value, "label": input_label, "aliases": list(i.aliases)}
            for i, input_label in zip(source.inputs, input_labels, strict=True)]})
    return listed


# Files that name nothing themselves, by where they live: what they hold, in words.
_HOLDS = (
    (re.compile(r"^rules/organisation\.ya?ml$"), lambda m: _("Organisation: roles, departments and grid")),
    (re.compile(r"^rules/calendar/working_hours\.ya?ml$"), lambda m: _("Working hours")),
    (re.compile(r"^rules/calendar/[a-z]+-(\d{4})\.ya?ml$"),
     lambda m: _("Holidays and make-up workdays {year}").format(year=m.group(1))),
    (re.compile(r"^rules/sla/"), lambda m: _("Time-limit policies")),
    (re.compile(r"^rules/geometry/"), lambda m: _("District map")),
)


def file_title(file: DefinitionFile, zh: bool) -> str:
    """What a deployed file holds, as the studio's file list names it: the file's own name for itself in the
    page's language (engine.definitions.studio.file_title), else what files in its place hold, else nothing."""
    if file.title is not None:
        return file.title[0] if zh else file.title[1]
    for pattern, words in _HOLDS:
        found = pattern.search(file.path)
        if found:
            return words(found)
    return ""
