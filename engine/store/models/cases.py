"""The case row: where a case stands, for queries; its workflow state travels with it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow
from engine.store.statuses import CaseStatus


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_opened", "status", "opened_at"),
        Index("ix_cases_department_status", "department", "status"),
        Index("ix_cases_category_status", "category", "status"),
        Index("ix_cases_grid_cell_status", "grid_cell", "status"),
        Index("ix_cases_street_status", "street", "status"),
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_opened_at", "opened_at"),  # case search by date range (migration 0004_social)
        # Open cases inside a box: a few geohash prefix ranges (engine.geo.geohash; migration 0901_map_points).
        Index("ix_cases_status_geohash", "status", "geohash"),
        # The case list's order by who opened it, department, grid cell (migration reach2_case_reach_order).
        Index("ix_cases_opened_by_opened", "opened_by", "opened_at", "id"),
        Index("ix_cases_department_opened", "department", "opened_at", "id"),
        Index("ix_cases_grid_cell_opened", "grid_cell", "opened_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_key: Mapped[str] = mapped_column(String(40), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    family: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.RUNNING)
    current_step: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(40))
    grid_cell: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(40))
    # Where the case is, when its data gives a point (`latitude`, `longitude`, WGS 84), and its geohash.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geohash: Mapped[str | None] = mapped_column(String(12))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    opened_by: Mapped[str | None] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Blocking incidents still open (engine.incidents keeps it with the incident rows): lists show 有异常
    # from the case row alone. Changed by a plain UPDATE, so it never bumps the optimistic version.
    open_incidents: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    workflow_state: Mapped[str] = mapped_column(Text, deferred=True)
    # Optimistic lock: every change bumps it; a stale writer gets a Conflict, not a silent overwrite.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseLink(Base):
    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    to_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeySequence(Base):
    """Per-prefix, per-year counter behind business keys like LH-2026-000123."""

    __tablename__ = "key_sequences"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
