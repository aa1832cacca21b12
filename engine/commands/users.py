"""Signing a person in through single sign-on (engine.auth.sso): one command, one transaction.

The identity comes from an id_token the caller has already verified (signature, issuer, audience,
expiry, nonce); its authority is the identity provider's. The command matches the identity to a user
of the organisation by username, brings the department, roles and name the provider's claims map to
up to date, or, when the provider knows someone casegrid does not, refuses (`sso.unknown_user`) unless
a default role is configured, in which case the user is created with it. Every creation and change is
written to the audit trail.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.auth.sso import Identity
from engine.errors import Forbidden, InvalidInput
from engine.store.models.org import OrgUnit, Role, User, UserRole

SSO_ACTOR = "sso"


def known_roles_and_units(session: Session) -> tuple[set[str], set[str]]:
    """The role codes and unit codes claims may map to (both tables are small)."""
    return set(session.scalars(select(Role.code))), set(session.scalars(select(OrgUnit.code)))


def sign_in_with_identity(session: Session, identity: Identity, default_role: str | None = None) -> User:
    """The active user the identity names, synchronised with its claims; Forbidden when there is none.

    `default_role`: create an unknown user with this role (or with the roles the claims map to, if
    any) instead of refusing them. A user an administrator deactivated stays refused."""
    user = session.scalars(select(User).where(User.username == identity.username)).first()
    if user is None:
        if not default_role:
            raise Forbidden(f"'{identity.username}' signed in at the identity provider but is no user of casegrid",
                            key="sso.unknown_user", params={"account": identity.username})
        return _create(session, identity, default_role)
    if not user.active:
        raise Forbidden(f"user '{identity.username}' is deactivated", key="sso.inactive_user",
                        params={"account": identity.username})
    before = _snapshot(user)
    if identity.display_name and identity.display_name != identity.username:
        user.display_name = identity.display_name
    if identity.department is not None:
        user.department = identity.department
    if identity.roles is not None:
        _set_roles(user, _keep_scopes(user, identity.roles))
    after = _snapshot(user)
    if after != before:
        session.flush()
        record(session, actor=SSO_ACTOR, action="user.updated_by_sso", before=before, after=after,
               details={"username": user.username, "subject": identity.subject})
    return user


def _create(session: Session, identity: Identity, default_role: str) -> User:
    if session.get(Role, default_role) is None:
        raise InvalidInput(f"CASEGRID_OIDC_DEFAULT_ROLE '{default_role}' is no role of the organisation",
                           {"CASEGRID_OIDC_DEFAULT_ROLE": ["unknown role"]}, key="sso.default_role_unknown")
    user = User(username=identity.username, display_name=identity.display_name, department=identity.department,
                locale="zh", password_hash=None, active=True)
    user.roles = [UserRole(role=role, scope=scope) for role, scope in (identity.roles or ((default_role, None),))]
    session.add(user)
    session.flush()
    record(session, actor=SSO_ACTOR, action="user.created_by_sso", after=_snapshot(user),
           details={"username": user.username, "subject": identity.subject})
    return user


def _snapshot(user: User) -> dict[str, Any]:
    return {"display_name": user.display_name, "department": user.department,
            "roles": sorted(f"{r.role}@{r.scope}" if r.scope else r.role for r in user.roles)}


def _keep_scopes(user: User, roles: tuple[tuple[str, str | None], ...]) -> list[tuple[str, str | None]]:
    """A role the claims give without a scope keeps the scopes the user holds it with (a grid worker's
    cells are casegrid's to assign; the provider knows only that they are a grid worker)."""
    held: dict[str, list[str]] = {}
    for row in user.roles:
        if row.scope:
            held.setdefault(row.role, []).append(row.scope)
    wanted: list[tuple[str, str | None]] = []
    for role, scope in roles:
        if scope is None and held.get(role):
            wanted.extend((role, kept) for kept in held[role])
        else:
            wanted.append((role, scope))
    return list(dict.fromkeys(wanted))


def _set_roles(user: User, wanted: list[tuple[str, str | None]]) -> None:
    kept = [row for row in user.roles if (row.role, row.scope) in wanted]
    have = {(row.role, row.scope) for row in kept}
    user.roles = kept + [UserRole(role=role, scope=scope) for role, scope in wanted if (role, scope) not in have]
