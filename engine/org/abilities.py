"""What a role lets its holders use beyond their own cases and tasks: the `may` list of a role in
rules/organisation.yaml (docs/organisation.md). The organisation grants them; no role name is written
in code, so another district can give its own roles the dashboard, the studio or incident work."""
from __future__ import annotations

from enum import StrEnum


class Ability(StrEnum):
    # The supervisor dashboard and the time-limit figures behind it (/dashboard, /api/v1/sla/overview and
    # /overdue); the departments shown are those the role `oversees`.
    DASHBOARD = "dashboard"
    # 督办: press a running case in an overseen department.
    URGE = "urge"
    # Approve or reject extension requests, from the dashboard or in a process's extension-decision task.
    DECIDE_EXTENSIONS = "decide_extensions"
    # See the incident list (/incidents, GET /api/v1/incidents, the dashboard's incident count).
    SEE_INCIDENTS = "see_incidents"
    # Retry and cancel incidents (includes seeing them).
    OPERATE_INCIDENTS = "operate_incidents"
    # The studio: edit, validate and deploy process definitions, decision tables and forms.
    MODEL_PROCESSES = "model_processes"
    # Start every process, whatever its start lane or `starters` name.
    START_ANY = "start_any"
    # Hold a personal API bearer token (create it on the profile page) and see the API reference page:
    # for the roles whose holders integrate programs; the others work in the browser and are not offered one.
    USE_API_TOKENS = "use_api_tokens"
    # 一图感知: the map of open cases, grid cells and hot spots (/map); it shows the cases the role `sees`.
    SEE_MAP = "see_map"
    # 一屏: the operations-centre wall screen (/screen), figures for the departments the role `oversees`.
    OPERATIONS_SCREEN = "operations_screen"
    # Bulletins (通报, rules/bulletins/*.yaml): the bulletins page and their PDF/XLSX downloads.
    SEE_BULLETINS = "see_bulletins"
    # Produce a bulletin on demand, or recompute one after late data (the worker produces them on schedule).
    PUBLISH_BULLETINS = "publish_bulletins"
    # Stand in for every supervising role: the dashboard lists the decision steps waiting in every deciding
    # lane (the lanes of the roles that may decide_extensions), not only in the lanes the user holds, and
    # escalations may be acknowledged whatever role they were sent to, in the departments the role oversees.
    OVERSEE_EVERY_LANE = "oversee_every_lane"


# Abilities that act on the departments a role oversees: granted without `oversees`, they would open a
# page or an action that refuses every department.
NEEDS_OVERSIGHT = frozenset({Ability.DASHBOARD, Ability.URGE, Ability.DECIDE_EXTENSIONS, Ability.OVERSEE_EVERY_LANE,
                             Ability.OPERATIONS_SCREEN})

# The error key a refusal carries (web/error_texts.py words it); starting is refused per process instead.
REFUSAL_KEYS: dict[Ability, str] = {
    Ability.DASHBOARD: "dashboard.may_not",
    Ability.URGE: "urge.may_not",
    Ability.DECIDE_EXTENSIONS: "extension.may_not_decide",
    Ability.SEE_INCIDENTS: "incidents.may_not_see",
    Ability.OPERATE_INCIDENTS: "incidents.may_not_operate",
    Ability.MODEL_PROCESSES: "studio.may_not",
    Ability.USE_API_TOKENS: "tokens.may_not",
    Ability.SEE_MAP: "map.may_not",
    Ability.OPERATIONS_SCREEN: "screen.may_not",
    Ability.SEE_BULLETINS: "bulletins.may_not_see",
    Ability.PUBLISH_BULLETINS: "bulletins.may_not_publish",
    Ability.OVERSEE_EVERY_LANE: "escalation.may_not_acknowledge",
}


def parse_abilities(role: str, value: object) -> frozenset[Ability]:
    """The `may` list of role `role`; ValueError naming the unknown entry and the known ones."""
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise ValueError(f"role {role}: may must be a list of abilities, not {value!r}")
    known = {ability.value for ability in Ability}
    unknown = [entry for entry in value if entry not in known]
    if unknown:
        raise ValueError(f"role {role}: may names unknown abilit{'y' if len(unknown) == 1 else 'ies'} "
                         f"{', '.join(repr(u) for u in unknown)}; known: {', '.join(a.value for a in Ability)}")
    return frozenset(Ability(entry) for entry in value)
