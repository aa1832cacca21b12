"""The organisation as configuration: rules/organisation.yaml (and demo users in rules/demo_users.yaml).

Format::

    roles:        [{code, name_zh, name_en, sees?, oversees?, may?}]   # sees: all | department | scope | own
                                                                     # may: [ability, ...] (engine.org.abilities)
    departments:  [{code, name_zh, name_en}]
    streets:      [{code, name_zh, name_en, communities: [{code, name_zh, grid_cells: [{code, name_zh}]}]}]
    users:        [{username, display_name, department, password, locale, roles: [{role, scope}]}]

The streets', communities' and grid cells' outlines are GeoJSON in rules/geometry/district.json
(engine.geo.shapes, docs/map-and-screen.md), checked against the units here when both are read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.geo.shapes import Unit, parse_geometry
from engine.org.abilities import NEEDS_OVERSIGHT, Ability, parse_abilities
from engine.yamltext import load_yaml

ORGANISATION_FILE = "rules/organisation.yaml"
DEMO_USERS_FILE = "rules/demo_users.yaml"
GEOMETRY_FILE = "rules/geometry/district.json"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    name_zh: str
    name_en: str = ""
    parent_code: str | None = None
    geometry: dict[str, Any] | None = field(default=None, compare=False)  # GeoJSON, streets to grid cells


# What holding a role lets one see (engine.org.access turns it into list filters and object checks):
# every case and task; those of one's department; those in the grid cells one's role is scoped to;
# or only one's own (opened, assigned, done, or routed to one as a candidate) — the default.
SEES = ("all", "department", "scope", "own")
# Which departments a role supervises on the dashboard (urging, extensions): every one, or one's own.
OVERSEES = ("all", "department")


@dataclass(frozen=True)
class RoleAccess:
    sees: str = "own"
    oversees: str | None = None
    may: frozenset[Ability] = frozenset()  # the features the role opens (engine.org.abilities)


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    department: str | None
    password: str | None
    locale: str
    roles: tuple[tuple[str, str | None], ...]


@dataclass
class OrgConfig:
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)
    access: dict[str, RoleAccess] = field(default_factory=dict)  # role code -> its declared reach
    units: dict[str, UnitSpec] = field(default_factory=dict)
    users: list[UserSpec] = field(default_factory=list)

    def codes_of(self, kind: str) -> set[str]:
        return {code for code, unit in self.units.items() if unit.kind == kind}

    def roles_that_may(self, ability: Ability) -> set[str]:
        return {code for code, access in self.access.items() if ability in access.may}

    @property
    def lane_codes(self) -> set[str]:
        """What a BPMN lane may name: a role or a department."""
        return set(self.roles) | self.codes_of("department")

    def merge(self, other: OrgConfig) -> OrgConfig:
        return OrgConfig({**self.roles, **other.roles}, {**self.access, **other.access},
                         {**self.units, **other.units}, self.users + other.users)


def _text(entry: dict[str, Any], key: str, default: str = "") -> str:
    value = entry.get(key, default)
    return "" if value is None else str(value)


def _role_access(role: dict[str, Any]) -> RoleAccess:
    sees = _text(role, "sees", "own")
    oversees = role.get("oversees")
    if sees not in SEES:
        raise ValueError(f"role {role['code']}: sees must be one of {', '.join(SEES)}, not '{sees}'")
    if oversees is not None and oversees not in OVERSEES:
        raise ValueError(f"role {role['code']}: oversees must be one of {', '.join(OVERSEES)}, not '{oversees}'")
    may = parse_abilities(str(role["code"]), role.get("may"))
    blind = sorted(may & NEEDS_OVERSIGHT)
    if blind and oversees is None:
        raise ValueError(f"role {role['code']}: may {', '.join(blind)} acts on the departments a role oversees; "
                         "declare oversees (all | department) too")
    return RoleAccess(sees, oversees, may)


def parse_organisation(text: str) -> OrgConfig:
    """Raises ValueError with a readable reason on a malformed file."""
    document = load_yaml(text) or {}
    if not isinstance(document, dict):
        raise ValueError("organisation file must be a mapping with roles, departments, streets, users")
    config = OrgConfig()
    for role in document.get("roles", []) or []:
        config.roles[str(role["code"])] = (_text(role, "name_zh"), _text(role, "name_en"))
        config.access[str(role["code"])] = _role_access(role)
    for dept in document.get("departments", []) or []:
        config.units[str(dept["code"])] = UnitSpec(str(dept["code"]), "department", _text(dept, "name_zh"),
                                                   _text(dept, "name_en"), dept.get("parent"))
    for street in document.get("streets", []) or []:
        config.units[str(street["code"])] = UnitSpec(str(street["code"]), "street", _text(street, "name_zh"),
                                                     _text(street, "name_en"))
        for community in street.get("communities", []) or []:
            config.units[str(community["code"])] = UnitSpec(
                str(community["code"]), "community", _text(community, "name_zh"), _text(community, "name_en"),
                str(street["code"]))
            for cell in community.get("grid_cells", []) or []:
                config.units[str(cell["code"])] = UnitSpec(
                    str(cell["code"]), "grid_cell", _text(cell, "name_zh"), _text(cell, "name_en"),
                    str(community["code"]))
    for user in document.get("users", []) or []:
        roles = tuple((str(r["role"]), r.get("scope")) for r in user.get("roles", []) or [])
        config.users.append(UserSpec(str(user["username"]), _text(user, "display_name", user["username"]),
                                     user.get("department"), user.get("password"),
                                     _text(user, "locale", "zh"), roles))
    return config


def organisation_from_files(files: dict[str, str]) -> OrgConfig:
    config = OrgConfig()
    for path in (ORGANISATION_FILE, DEMO_USERS_FILE):
        if path in files:
            config = config.merge(parse_organisation(files[path]))
    if GEOMETRY_FILE in files and config.units:
        with_geometry(config, files[GEOMETRY_FILE])
    return config


def with_geometry(config: OrgConfig, text: str) -> None:
    """Give the streets, communities and grid cells their outlines; ValueError naming what is wrong."""
    units = [Unit(code, unit.kind, unit.parent_code) for code, unit in config.units.items()]
    for code, geometry in parse_geometry(text, units).items():
        unit = config.units[code]
        config.units[code] = UnitSpec(unit.code, unit.kind, unit.name_zh, unit.name_en, unit.parent_code, geometry)
