"""Work items: the human-task projection inboxes and dashboards query."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow
from engine.store.statuses import SlaState, WorkItemStatus


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        Index("ix_work_items_status_department", "status", "department"),
        Index("ix_work_items_status_role", "status", "role"),
        Index("ix_work_items_status_grid_cell", "status", "grid_cell"),
        Index("ix_work_items_assignee_status", "assignee", "status"),
        Index("ix_work_items_status_due", "status", "due_at"),
        Index("ix_work_items_case_status", "case_id", "status"),
        Index("ix_work_items_status_process_step", "status", "process_key", "task_spec"),
        # Closure counts for a period (migration 0002_sla).
        Index("ix_work_items_department_completed", "department", "completed_at"),
        Index("ix_work_items_completed_at", "completed_at"),
        # Each reason a person sees a case, in the case list's order (migration reach2_case_reach_order;
        # on PostgreSQL also a trigram index on the named candidates' text, created there only). The one
        # on completed_by replaces migration 0901's (completed_by, case_id): cases a person worked on.
        Index("ix_work_items_assignee_case_opened", "assignee", "case_opened_at", "case_id"),
        Index("ix_work_items_completed_by_case_opened", "completed_by", "case_opened_at", "case_id"),
        Index("ix_work_items_department_case_opened", "department", "case_opened_at", "case_id"),
        Index("ix_work_items_grid_cell_case_opened", "grid_cell", "case_opened_at", "case_id"),
        Index("ix_work_items_role_department_case_opened", "role", "department", "case_opened_at", "case_id"),
    )

    # The SpiffWorkflow task id: unique across workflows, stable across serialisation.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # Copied from the case so per-step figures never join the (ever-growing) cases table.
    process_key: Mapped[str | None] = mapped_column(String(100))
    task_spec: Mapped[str] = mapped_column(String(200))
    task_name: Mapped[str] = mapped_column(String(300))
    form_key: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(60))
    department: Mapped[str | None] = mapped_column(String(40))
    grid_cell: Mapped[str | None] = mapped_column(String(40))
    candidate_users: Mapped[list[Any]] = mapped_column(default=list)
    assignee: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default=WorkItemStatus.OPEN)
    sla_state: Mapped[str] = mapped_column(String(20), default=SlaState.NONE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(80))
    # The case's opened_at (which never changes), copied when the item is created: a person's tasks are
    # read from the indexes above in the case list's order (engine.cases.access).
    case_opened_at: Mapped[datetime]
