"""Who has a case's open steps, in the words colleagues use: shared by the flash after completing a step
and the one after urging a case."""
from __future__ import annotations

from engine.tasks.next_step import Holder
from web.i18n import _, current_locale, step_name, unit_name


def holder_text(holder: Holder) -> str:
    """Who has a step, as colleagues say it: the person, or the department/grid cell and the role."""
    if holder.assignee:
        return holder.assignee
    group = " ".join(part for part in (unit_name(holder.department), unit_name(holder.grid_cell)) if part)
    role = (holder.role[0] if current_locale() == "zh" else holder.role[1]) if holder.role else ""
    return f"{group}{role}" if current_locale() == "zh" else " ".join(p for p in (group, role) if p)


def holders_text(holders: list[Holder], process_key: str | None = None, version_id: int | None = None) -> str:
    """Each open step and who has it: 周洋（城市管理和综合执法局）（处理反馈）；督办员（延期审批）; the steps by their
    names in the page's language (of `process_key`'s version `version_id`, when known)."""
    return _("; ").join(_("{who} ({task})", who=holder_text(h), task=step_name(h.task_name, process_key, None, version_id))
                        for h in holders)
