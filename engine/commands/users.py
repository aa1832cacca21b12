"""Signing a person in through single sign-on (engine.auth.sso): one command, one transaction.

The identity comes from an id_token the caller has already verified (signature, issuer, audience,
expiry, nonce); its authority is the identity provider's. The command matches the identity to a user
of the organisation, brings the department, roles and name the provider's claims map to up to date,
or, when the provider knows someone casegrid does not, refuses (`sso.unknown_user`) unless a default
role is configured, in which case the user is created with it. Every creation and change is written
to the audit trail.

Matching: the provider's (issuer, sub) pair is the identity; the username claim is only how a person
is found the first time. The first successful sign-in binds the user to the pair (`user_identities`);
afterwards the binding decides, so a user whose username claim changed still signs in as themselves,
and a username claim that now names a user bound to another subject of the same provider (an account
renamed, or a freed username handed to someone else) is refused (`sso.identity_mismatch`) instead of
signing a stranger into that account.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.auth.sso import Identity
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.store.models.org import OrgUnit, Role, User, UserIdentity, UserRole

log = logging.getLogger(__name__)
SSO_ACTOR = "sso"


def known_roles_and_units(session: Session) -> tuple[set[str], set[str]]:
    """The role codes and unit codes claims may map to (both tables are small)."""
    return set(session.scalars(select(Role.code))), set(session.scalars(select(OrgUnit.code)))


def sign_in_with_identity(session: Session, identity: Identity, default_role: str | None = None) -> User:
    """The active user the identity names, synchronised with its claims; Forbidden when there is none.

    The user bound to the identity's (issuer, subject) if there is one, whatever the username claim
    says now; else the user the username claim names, who is then bound to it — unless that user is
    already bound to another subject of the same issuer (refused: `sso.identity_mismatch`).
    `default_role`: create an unknown user with this role (or with the roles the claims map to, if
    any) instead of refusing them. A user an administrator deactivated stays refused."""
    user = _bound_user(session, identity)
    if user is None:
        user = session.scalars(select(User).where(User.username == identity.username)).first()
        if user is None:
            if not default_role:
                raise Forbidden(f"'{identity.username}' signed in at the identity provider but is no user of casegrid",
                                key="sso.unknown_user", params={"account": identity.username})
            user = _create(session, identity, default_role)
            _bind(session, user, identity)
            return user
        _check_active(user)
        _bind(session, user, identity)
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


def unbind_identities(session: Session, username: str, actor: str = "system") -> list[str]:
    """Forget the single sign-on identities USER is bound to (`casegrid user unbind-sso`): the next
    sign-in whose username claim names them binds them again. For a person whose account was
    re-created at the provider (a new `sub`); "issuer sub" of each binding removed."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    bindings = list(session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id)))
    for binding in bindings:
        session.delete(binding)
    removed = [f"{b.issuer} {b.subject}" for b in bindings]
    if removed:
        session.flush()
        record(session, actor=actor, action="user.unbound_from_sso", details={"username": username,
                                                                              "identities": removed})
    return removed


def _bound_user(session: Session, identity: Identity) -> User | None:
    """The user bound to the identity's (issuer, subject), checked active; None if nobody is bound yet."""
    binding = session.scalars(select(UserIdentity).where(UserIdentity.issuer == identity.issuer,
                                                         UserIdentity.subject == identity.subject)).first()
    if binding is None:
        return None
    user = session.get_one(User, binding.user_id)
    _check_active(user)
    if binding.last_claimed_username != identity.username[:80]:
        if user.username != identity.username:
            log.info("SSO: %s (subject %s) now claims the username %r", user.username, identity.subject,
                     identity.username)
        binding.last_claimed_username = identity.username[:80]
    return user


def _check_active(user: User) -> None:
    if not user.active:
        raise Forbidden(f"user '{user.username}' is deactivated", key="sso.inactive_user",
                        params={"account": user.username})


def _bind(session: Session, user: User, identity: Identity) -> None:
    """Bind a user found by the username claim to the identity; refused when the user is already bound
    to another subject of the same issuer (the claim was renamed or reused at the provider)."""
    other = session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id,
                                                       UserIdentity.issuer == identity.issuer)).first()
    if other is not None:
        log.warning("SSO: subject %s of %s claims the username %r, bound to subject %s: refused",
                    identity.subject, identity.issuer, identity.username, other.subject)
        raise Forbidden(f"'{identity.username}' is bound to another identity of this provider",
                        key="sso.identity_mismatch", params={"account": identity.username})
    session.add(UserIdentity(user_id=user.id, issuer=identity.issuer, subject=identity.subject,
                             last_claimed_username=identity.username[:80]))
    session.flush()
    record(session, actor=SSO_ACTOR, action="user.bound_by_sso",
           details={"username": user.username, "issuer": identity.issuer, "subject": identity.subject})


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
