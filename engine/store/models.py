"""Imports every domain's models so Base.metadata is complete (Alembic, test fixtures)."""
from engine.attachments.models import Attachment
from engine.audit.models import AuditEvent
from engine.auth.models import LoginFailure
from engine.cases.models import Case, CaseLink, KeySequence
from engine.definitions.models import Deployment, ProcessVersion
from engine.messages.models import MessageSubscription
from engine.org.models import OrgUnit, Role, User, UserRole
from engine.rules.models import EventRuleState
from engine.sla.models import (
    CalendarDay,
    CalendarYear,
    Escalation,
    Notification,
    SlaClock,
    SlaExtension,
    Urging,
)
from engine.store.base import Base
from engine.tasks.models import WorkItem
from engine.timers.models import Timer

__all__ = [
    "Attachment",
    "AuditEvent", "Base", "Case", "CaseLink", "Deployment", "EventRuleState", "KeySequence", "LoginFailure", "OrgUnit",
    "ProcessVersion", "Role", "Timer", "User", "UserRole", "WorkItem",
    "MessageSubscription", "CalendarDay", "CalendarYear", "Escalation", "Notification", "SlaClock", "SlaExtension", "Urging",
]
