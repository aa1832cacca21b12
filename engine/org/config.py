"""The organisation as configuration: rules/organisation.yaml (and demo users in rules/demo_users.yaml).

Format::

    roles:        [{code, name_zh, name_en}]
    departments:  [{code, name_zh, name_en}]
    streets:      [{code, name_zh, name_en, communities: [{code, name_zh, grid_cells: [{code, name_zh}]}]}]
    users:        [{username, display_name, department, password, locale, roles: [{role, scope}]}]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

ORGANISATION_FILE = "rules/organisation.yaml"
DEMO_USERS_FILE = "rules/demo_users.yaml"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    name_zh: str
    name_en: str = ""
    parent_code: str | None = None


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
    units: dict[str, UnitSpec] = field(default_factory=dict)
    users: list[UserSpec] = field(default_factory=list)

    def codes_of(self, kind: str) -> set[str]:
        return {code for code, unit in self.units.items() if unit.kind == kind}

    @property
    def lane_codes(self) -> set[str]:
        """What a BPMN lane may name: a role or a department."""
        return set(self.roles) | self.codes_of("department")

    def merge(self, other: OrgConfig) -> OrgConfig:
        return OrgConfig({**self.roles, **other.roles}, {**self.units, **other.units}, self.users + other.users)


def _text(entry: dict[str, Any], key: str, default: str = "") -> str:
    value = entry.get(key, default)
    return "" if value is None else str(value)


def parse_organisation(text: str) -> OrgConfig:
    """Raises ValueError with a readable reason on a malformed file."""
    document = yaml.safe_load(text) or {}
    if not isinstance(document, dict):
        raise ValueError("organisation file must be a mapping with roles, departments, streets, users")
    config = OrgConfig()
    for role in document.get("roles", []) or []:
        config.roles[str(role["code"])] = (_text(role, "name_zh"), _text(role, "name_en"))
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
    return config
