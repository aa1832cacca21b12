"""Single sign-on (统一身份认证) through an OpenID Connect provider: the settings, and what a verified
identity's claims say about the user. No Flask and no HTTP here: web/auth/sso.py runs the protocol
(Authlib), verifies the id_token and hands the claims to engine.commands.users.sign_in_with_identity.

Configured by environment (docs/sso.md):

    CASEGRID_OIDC_ISSUER              the provider's issuer URL (SSO is off while it is unset)
    CASEGRID_OIDC_CLIENT_ID           casegrid's client id at the provider
    CASEGRID_OIDC_CLIENT_SECRET       its secret
    CASEGRID_OIDC_SCOPES              default "openid profile"
    CASEGRID_OIDC_USERNAME_CLAIM      the claim holding the casegrid username (default preferred_username)
    CASEGRID_OIDC_NAME_CLAIM          the claim holding the display name (default name)
    CASEGRID_OIDC_DEPARTMENT_CLAIM    the claim naming the user's department (unset: not synchronised)
    CASEGRID_OIDC_DEPARTMENT_MAP      provider value -> department code, "值=code;值=code" or a JSON object
    CASEGRID_OIDC_ROLES_CLAIM         the claim listing the user's roles (unset: not synchronised)
    CASEGRID_OIDC_ROLE_MAP            provider value -> role code (or role@scope), same two forms
    CASEGRID_OIDC_DEFAULT_ROLE        unknown users are created with this role (unset: refused)
    CASEGRID_OIDC_REDIRECT_URI        the callback URL registered at the provider (default: derived)
    CASEGRID_OIDC_POST_LOGOUT_REDIRECT_URI  where the provider returns after its sign-out (default: /login)
    CASEGRID_LOCAL_PASSWORDS          1 (default) keeps the password form; 0 signs in only through SSO
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import InvalidInput

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


@dataclass(frozen=True)
class SsoSettings:
    issuer: str | None = None
    client_id: str = ""
    client_secret: str = ""
    scopes: str = "openid profile"
    username_claim: str = "preferred_username"
    name_claim: str = "name"
    department_claim: str | None = None
    department_map: Mapping[str, str] = field(default_factory=dict)
    roles_claim: str | None = None
    role_map: Mapping[str, str] = field(default_factory=dict)
    default_role: str | None = None
    local_passwords: bool = True
    # Where the provider sends the browser back; unset: this server's /login/sso/callback as the request
    # named it (set both behind a proxy that rewrites the host).
    redirect_uri: str | None = None
    post_logout_redirect_uri: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.issuer)

    @property
    def metadata_url(self) -> str:
        return (self.issuer or "").rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, in casegrid's terms.

    `department` and `roles` are None when the settings do not synchronise them or the token does not
    carry the claim: the user's stored values then stay as they are."""

    username: str
    display_name: str
    subject: str  # the provider's `sub`: with the issuer, what the user is bound to (never reassigned)
    issuer: str = ""
    department: str | None = None
    roles: tuple[tuple[str, str | None], ...] | None = None
    unmapped: tuple[str, ...] = ()  # provider values of the claims that map to nothing casegrid knows


def _mapping(name: str, raw: str) -> dict[str, str]:
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{name} is not valid JSON: {exc.msg}", {name: ["not valid JSON"]}) from exc
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise InvalidInput(f"{name} must map each provider value to a code", {name: ["not a mapping"]})
        return {str(key): value for key, value in loaded.items()}
    pairs: dict[str, str] = {}
    for part in raw.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        value, sep, code = part.partition("=")
        if not sep or not value.strip() or not code.strip():
            raise InvalidInput(f"{name}: '{part.strip()}' is not value=code", {name: ["value=code;value=code"]})
        pairs[value.strip()] = code.strip()
    return pairs


def _flag(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or not raw.strip():
        return default
    if raw.strip().lower() in TRUE_WORDS:
        return True
    if raw.strip().lower() in FALSE_WORDS:
        return False
    raise InvalidInput(f"{name} must be 1 or 0", {name: ["1 or 0"]})


def load_sso_settings(env: Mapping[str, str] | None = None) -> SsoSettings:
    """The SSO settings from the environment; a malformed value is an InvalidInput naming the variable."""
    env = dict(os.environ if env is None else env)

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    settings = SsoSettings(
        issuer=get("CASEGRID_OIDC_ISSUER"),
        client_id=get("CASEGRID_OIDC_CLIENT_ID") or "",
        client_secret=get("CASEGRID_OIDC_CLIENT_SECRET") or "",
        scopes=get("CASEGRID_OIDC_SCOPES") or "openid profile",
        username_claim=get("CASEGRID_OIDC_USERNAME_CLAIM") or "preferred_username",
        name_claim=get("CASEGRID_OIDC_NAME_CLAIM") or "name",
        department_claim=get("CASEGRID_OIDC_DEPARTMENT_CLAIM"),
        department_map=_mapping("CASEGRID_OIDC_DEPARTMENT_MAP", env.get("CASEGRID_OIDC_DEPARTMENT_MAP", "")),
        roles_claim=get("CASEGRID_OIDC_ROLES_CLAIM"),
        role_map=_mapping("CASEGRID_OIDC_ROLE_MAP", env.get("CASEGRID_OIDC_ROLE_MAP", "")),
        default_role=get("CASEGRID_OIDC_DEFAULT_ROLE"),
        redirect_uri=get("CASEGRID_OIDC_REDIRECT_URI"),
        post_logout_redirect_uri=get("CASEGRID_OIDC_POST_LOGOUT_REDIRECT_URI"),
        local_passwords=_flag("CASEGRID_LOCAL_PASSWORDS", env.get("CASEGRID_LOCAL_PASSWORDS"), True),
    )
    check_sso_settings(settings)
    return settings


def check_sso_settings(settings: SsoSettings) -> None:
    if not settings.enabled:
        if not settings.local_passwords:
            raise InvalidInput("CASEGRID_LOCAL_PASSWORDS=0 needs CASEGRID_OIDC_ISSUER: nobody could sign in",
                               {"CASEGRID_LOCAL_PASSWORDS": ["needs CASEGRID_OIDC_ISSUER"]})
        return
    if not settings.client_id:
        raise InvalidInput("CASEGRID_OIDC_ISSUER is set but CASEGRID_OIDC_CLIENT_ID is not",
                           {"CASEGRID_OIDC_CLIENT_ID": ["required with CASEGRID_OIDC_ISSUER"]})
    if "openid" not in settings.scopes.split():
        raise InvalidInput("CASEGRID_OIDC_SCOPES must include openid", {"CASEGRID_OIDC_SCOPES": ["include openid"]})


def _values(claim: Any) -> list[str]:
    """A claim as a list of strings: a list, one string, or a space/comma separated string."""
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(item).strip() for item in claim if str(item).strip()]
    return [part for part in str(claim).replace(",", " ").split() if part]


def _role_pair(code: str) -> tuple[str, str | None]:
    role, _sep, scope = code.partition("@")
    return role.strip(), (scope.strip() or None)


def identity_from_claims(settings: SsoSettings, claims: Mapping[str, Any], known_roles: set[str],
                         known_units: set[str]) -> Identity:
    """What verified claims say about the user; InvalidInput when the username or `sub` claim is missing.

    A department value is looked up in the department map, else taken as a unit code; a role value in the
    role map (its target may be "role@scope"), else taken as a role code. A value that names no known
    department or role is listed in `unmapped` and grants nothing."""
    raw_username = claims.get(settings.username_claim)
    username = str(raw_username).strip() if raw_username is not None else ""
    if not username or len(username) > 80:
        raise InvalidInput(f"the identity token has no usable '{settings.username_claim}' claim",
                           {settings.username_claim: ["missing"]}, key="sso.no_username",
                           params={"claim": settings.username_claim})
    subject = str(claims.get("sub") or "").strip()
    if not subject or len(subject) > 255:
        # (issuer, sub) is what the user is bound to: without it nobody can be told apart safely.
        raise InvalidInput("the identity token has no usable 'sub' claim", {"sub": ["missing"]},
                           key="sso.no_subject")
    # The id_token's `iss` (Authlib checked it against the configured issuer); the setting if absent.
    issuer = str(claims.get("iss") or settings.issuer or "").strip()
    display_name = str(claims.get(settings.name_claim) or username).strip()[:200]
    unmapped: list[str] = []
    department = None
    if settings.department_claim and claims.get(settings.department_claim) is not None:
        for value in _values(claims.get(settings.department_claim)):
            code = settings.department_map.get(value, value)
            if code in known_units:
                department = code
                break
            unmapped.append(value)
    roles: tuple[tuple[str, str | None], ...] | None = None
    if settings.roles_claim and claims.get(settings.roles_claim) is not None:
        found: list[tuple[str, str | None]] = []
        for value in _values(claims.get(settings.roles_claim)):
            role, scope = _role_pair(settings.role_map.get(value, value))
            if role in known_roles and (scope is None or scope in known_units):
                found.append((role, scope))
            else:
                unmapped.append(value)
        roles = tuple(dict.fromkeys(found))
    return Identity(username, display_name, subject, issuer, department, roles, tuple(unmapped))
