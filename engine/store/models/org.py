"""The organisation: units (streets, communities, grid cells, departments), roles, users."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base, utcnow


class OrgUnit(Base):
    __tablename__ = "org_units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # street, community, grid_cell, department
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    parent_code: Mapped[str | None] = mapped_column(String(40), index=True)
    # The outline of a street, community or grid cell (GeoJSON geometry, engine.geo.shapes), if drawn.
    geometry: Mapped[dict[str, Any] | None]


class Role(Base):
    __tablename__ = "roles"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # The role's declared reach (engine.org.config.SEES / OVERSEES), read by engine.org.access.
    sees: Mapped[str] = mapped_column(String(20), default="own", server_default="own")
    oversees: Mapped[str | None] = mapped_column(String(20))
    # The features the role opens (engine.org.abilities.Ability values), a JSON list.
    may: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    department: Mapped[str | None] = mapped_column(String(40), index=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh")
    active: Mapped[bool] = mapped_column(default=True)
    api_token_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    # Raised by a password change or reset: a session signed in with an older generation is ended.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[UserRole]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class UserRole(Base):
    """A role a user holds, optionally scoped to a unit (the grid cell of a grid worker)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope", name="uq_user_roles_user_role_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40), index=True)
    scope: Mapped[str | None] = mapped_column(String(40))


class UserIdentity(Base):
    """The single sign-on identity a user is bound to: the provider (issuer) and its subject (`sub`).

    Bound at the user's first sign-in through that provider (engine.commands.users); afterwards the
    binding, not the username claim, says who signs in. A username claim that is renamed or handed to
    someone else at the provider can then never take over the account bound to another subject."""

    __tablename__ = "user_identities"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer_subject"),
        # One subject per provider and user: a second one is an account takeover attempt, refused.
        UniqueConstraint("user_id", "issuer", name="uq_user_identities_user_issuer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The username claim at the last sign-in: shows an administrator when the provider renamed someone.
    last_claimed_username: Mapped[str] = mapped_column(String(80), default="")
