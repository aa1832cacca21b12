"""Who may see and work which work item: roles, departments and grid cells from the organisation."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.store.models.tasks import WorkItem

SYSTEM = "system"
# Roles that see every task in their scope but do not work ordinary tasks unless routed to them.
OVERSEEING_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Actor:
    username: str
    department: str | None = None
    roles: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)
    # Grid cells, communities and streets a scoped role covers, expanded downwards.
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def role_codes(self) -> set[str]:
        return {role for role, _scope in self.roles}

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    @property
    def is_system(self) -> bool:
        return self.username == SYSTEM


def system_actor() -> Actor:
    return Actor(SYSTEM, roles=frozenset({("admin", None)}))


def _role_matches(actor: Actor, item: WorkItem) -> bool:
    for role, scope in actor.roles:
        if role != item.role:
            continue
        if item.grid_cell and scope is not None and item.grid_cell not in actor.scopes:
            continue
        if item.grid_cell and scope is None and role == "grid_worker":
            continue  # an unscoped grid worker holds no cell
        if item.department and actor.department != item.department and scope != item.department:
            continue
        return True
    return False


def is_candidate(actor: Actor, item: WorkItem) -> bool:
    """Named candidate, or a holder of the lane's role in the item's department/grid cell."""
    if actor.username in (item.candidate_users or []):
        return True
    if item.role is None:
        return item.department is None or item.department == actor.department
    return _role_matches(actor, item)


def may_work(actor: Actor, item: WorkItem) -> bool:
    """A claimed item is its assignee's alone; an unclaimed one any candidate's."""
    if actor.is_system:
        return True
    if item.assignee:
        return item.assignee == actor.username
    return is_candidate(actor, item)


def may_see(actor: Actor, item: WorkItem) -> bool:
    # Colleagues who could have claimed it still see it: they are who a transfer goes to.
    if actor.is_system or item.assignee == actor.username or is_candidate(actor, item):
        return True
    if "admin" in actor.role_codes:
        return True
    if "supervisor" in actor.role_codes:
        return True
    return "department_head" in actor.role_codes and item.department is not None and item.department == actor.department
