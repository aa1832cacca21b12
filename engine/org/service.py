"""Load the organisation into the database and resolve users into Actors."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.forms.i18n import normalize_lang
from engine.org.abilities import Ability
from engine.org.access import Actor, system_actor
from engine.org.config import OrgConfig, RoleAccess, UnitSpec
from engine.org.passwords import hash_password
from engine.store.models.org import OrgUnit, Role, User, UserRole


def known_organisation(session: Session) -> OrgConfig:
    config = OrgConfig()
    for role in session.scalars(select(Role)):
        config.roles[role.code] = (role.name_zh, role.name_en)
        config.access[role.code] = RoleAccess(role.sees, role.oversees, _abilities(role.may))
    for unit in session.scalars(select(OrgUnit)):
        config.units[unit.code] = UnitSpec(unit.code, unit.kind, unit.name_zh, unit.name_en, unit.parent_code)
    return config


def load_organisation(session: Session, config: OrgConfig) -> dict[str, int]:
    """Upsert roles, units and users; re-loadable. Users keep a password they changed unless the file gives one."""
    counts = {"roles": 0, "units": 0, "users": 0}
    # Argon2 costs ~0.1 s a hash on purpose; the demo file gives ~80 users one shared initial password,
    # so hash each distinct file password once per load (they are initial passwords users change).
    hashed: dict[str, str] = {}
    for code, (name_zh, name_en) in config.roles.items():
        role = session.get(Role, code) or Role(code=code)
        role.name_zh, role.name_en = name_zh, name_en
        access = config.access.get(code, RoleAccess())
        role.sees, role.oversees, role.may = access.sees, access.oversees, sorted(access.may)
        session.add(role)
        counts["roles"] += 1
    for unit_spec in config.units.values():
        unit = session.get(OrgUnit, unit_spec.code) or OrgUnit(code=unit_spec.code)
        unit.kind, unit.name_zh, unit.name_en = unit_spec.kind, unit_spec.name_zh, unit_spec.name_en
        unit.parent_code = unit_spec.parent_code
        unit.geometry = unit_spec.geometry
        session.add(unit)
        counts["units"] += 1
    for spec in config.users:
        user = session.scalars(select(User).where(User.username == spec.username)).first()
        if user is None:
            user = User(username=spec.username)
            session.add(user)
        user.display_name = spec.display_name
        user.department = spec.department
        user.locale = spec.locale
        if spec.password and not user.password_hash:
            if spec.password not in hashed:
                hashed[spec.password] = hash_password(spec.password)
            user.password_hash = hashed[spec.password]
        _set_roles(user, spec.roles)
        counts["users"] += 1
    session.flush()
    return counts


def _set_roles(user: User, roles: tuple[tuple[str, str | None], ...]) -> None:
    """Keep the rows that stay: replacing them all inserts duplicates before the orphans are deleted,
    which breaks the (user, role, scope) unique constraint on a reload."""
    wanted = list(dict.fromkeys(roles))
    kept = [r for r in user.roles if (r.role, r.scope) in wanted]
    have = {(r.role, r.scope) for r in kept}
    user.roles = kept + [UserRole(role=role, scope=scope) for role, scope in wanted if (role, scope) not in have]


def _descendants(session: Session, codes: set[str]) -> set[str]:
    found = set(codes)
    frontier = set(codes)
    while frontier:
        children = set(session.scalars(select(OrgUnit.code).where(OrgUnit.parent_code.in_(frontier))))
        frontier = children - found
        found |= children
    return found


def actor_for(session: Session, username: str) -> Actor:
    if username == "system":
        return system_actor()
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise NotFound(f"no active user '{username}'")
    return actor_from_user(session, user)


# Built once: every request makes its user's actor.
_ROLE_REACH = select(Role.code, Role.sees, Role.oversees, Role.may).where(
    Role.code.in_(bindparam("codes", expanding=True)))


def actor_from_user(session: Session, user: User) -> Actor:
    roles = frozenset((r.role, r.scope) for r in user.roles)
    codes = {role for role, _scope in roles}
    # What each held role lets its holder see, oversee and use, as the organisation declares it.
    rows = list(session.execute(_ROLE_REACH, {"codes": sorted(codes)}) if codes else [])
    return actor_of(session, user.username, user.department, roles, rows)


def actor_of(session: Session, username: str, department: str | None, roles: frozenset[tuple[str, str | None]],
             declared: Iterable[tuple[str, str, str | None, list[str] | None]]) -> Actor:
    """The Actor of a user holding `roles` (role, scope), given the `declared` (code, sees, oversees, may) of
    those of the roles the organisation knows."""
    declared = list(declared)
    scoped = {scope for _role, scope in roles if scope}
    reach = frozenset((code, sees, oversees) for code, sees, oversees, _may in declared)
    abilities = frozenset(ability for *_reach, may in declared for ability in _abilities(may))
    return Actor(username, department, roles, frozenset(_descendants(session, scoped)), reach, abilities)


def roles_that_may(session: Session, ability: Ability) -> set[str]:
    """The codes of the stored roles whose `may` list opens `ability` (the roles table is small)."""
    return {code for code, may in session.execute(select(Role.code, Role.may)) if ability in _abilities(may)}


def _abilities(stored: list[str] | None) -> frozenset[Ability]:
    """The stored `may` list; an entry this code does not know (a newer release wrote it) grants nothing."""
    return frozenset(Ability(entry) for entry in stored or [] if entry in _KNOWN_ABILITIES)


_KNOWN_ABILITIES = frozenset(ability.value for ability in Ability)


def unit_chain(session: Session, code: str | None) -> list[OrgUnit]:
    """The unit and its ancestors (grid cell -> community -> street)."""
    chain: list[OrgUnit] = []
    while code:
        unit = session.get(OrgUnit, code)
        if unit is None:
            break
        chain.append(unit)
        code = unit.parent_code
    return chain


def street_of(session: Session, grid_cell: str | None) -> str | None:
    for unit in unit_chain(session, grid_cell):
        if unit.kind == "street":
            return unit.code
    return None


def unit_names(session: Session) -> dict[str, tuple[str, str]]:
    """code -> (Chinese name, English name) for every unit; the table is small (streets to grid cells)."""
    return {code: (zh, en) for code, zh, en in session.execute(select(OrgUnit.code, OrgUnit.name_zh, OrgUnit.name_en))}


def role_names(session: Session) -> dict[str, tuple[str, str]]:
    """code -> (Chinese name, English name) for every role, as pages name roles and lanes."""
    return {code: (zh, en) for code, zh, en in session.execute(select(Role.code, Role.name_zh, Role.name_en))}


# Accounts that are not people but act on cases: named as people are, in the reader's language.
RULES_ACTOR = "rules"
ENGINE_ACCOUNTS = {RULES_ACTOR: {"zh": "事件规则", "en": "Event rules"}}
_RULES_FOR = {"zh": "{rules}（{person}）", "en": "{rules} (for {person})"}
_FOR = f"{RULES_ACTOR} (for "
# A display name as the users file writes it: the person's name and, in full-width brackets, where they work
# (周洋（城市管理和综合执法局）, 尹涛（渔邨社区第1网格）) - docs/organisation.md.
_NAME_AND_UNIT = re.compile(r"^(?P<name>[^（）]+)（[^（）]+）$")


def rules_actor_for(username: str) -> str:
    """How the audit trail names what the rules did with someone's event: "rules (for gauge1)"."""
    return f"{_FOR}{username})"[:80]


def poster_behind(actor: str) -> str | None:
    """The username in rules_actor_for's name, or None for any other actor."""
    return actor[len(_FOR):-1] if actor.startswith(_FOR) and actor.endswith(")") else None


def display_names(session: Session, usernames: Iterable[str | None], lang: str = "zh") -> dict[str, str]:
    """username -> the name people know them by, for the given users only (a page names a handful).

    The name is the users file's display name, typed as the person is known: in Chinese as written. In
    English the unit a display name gives in brackets (周洋（城市管理和综合执法局）) is ours, not the person's:
    it reads as the English name of the unit they work in (周洋 (Urban management and law enforcement)) -
    the grid cell or street their role is scoped to, else their department, else their roles' names."""
    lang = normalize_lang(lang)
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    # What the rules did with someone's event is recorded under rules_actor_for(<username>).
    for_whom = {name: whom for name in wanted if (whom := poster_behind(name)) is not None}
    rows = session.execute(select(User.username, User.display_name)
                           .where(User.username.in_(wanted | set(for_whom.values()))))
    people = {username: shown or username for username, shown in rows}
    if lang == "en":
        people.update(_with_english_units(session, people))
    rules = ENGINE_ACCOUNTS[RULES_ACTOR][lang]
    found = {name: people[name] for name in wanted if name in people}
    found.update({name: _RULES_FOR[lang].format(rules=rules, person=people.get(whom, whom))
                  for name, whom in for_whom.items()})
    return {**{name: ENGINE_ACCOUNTS[name][lang] for name in wanted & ENGINE_ACCOUNTS.keys()}, **found}


def _with_english_units(session: Session, people: Mapping[str, str]) -> dict[str, str]:
    """The people whose display name gives their unit in brackets, that unit in English."""
    labelled = {username: found.group("name") for username, shown in people.items()
                if (found := _NAME_AND_UNIT.match(shown))}
    if not labelled:
        return {}
    users = session.scalars(select(User).where(User.username.in_(labelled))).all()
    units = dict(session.execute(select(OrgUnit.code, OrgUnit.name_en)).all())
    roles = role_names(session)
    english: dict[str, str] = {}
    for user in users:
        scopes = [r.scope for r in sorted(user.roles, key=lambda r: r.id) if r.scope and units.get(r.scope)]
        if scopes or units.get(user.department or ""):
            unit = units[scopes[0]] if scopes else units[user.department or ""]
        else:
            unit = ", ".join(en for r in sorted(user.roles, key=lambda r: r.id) if (en := roles.get(r.role, ("", ""))[1]))
        if unit:
            english[user.username] = f"{labelled[user.username]} ({unit})"
    return english
