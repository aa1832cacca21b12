"""Every table of the engine, one module per domain; importing the package completes Base.metadata (Alembic, test fixtures)."""
from engine.store.base import Base
from engine.store.models.attachments import Attachment
from engine.store.models.audit import AuditEvent
from engine.store.models.auth import LoginFailure
from engine.store.models.bulletins import Bulletin
from engine.store.models.cases import Case, CaseLink, KeySequence
from engine.store.models.definitions import Deployment, ProcessVersion
from engine.store.models.incidents import Incident
from engine.store.models.messages import MessageSubscription
from engine.store.models.org import OrgUnit, Role, User, UserRole
from engine.store.models.rules import EventRuleState
from engine.store.models.sla import (
    CalendarDay,
    CalendarYear,
    Escalation,
    Notification,
    SlaClock,
    SlaExtension,
    Urging,
)
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer

__all__ = [
    "Attachment",
    "AuditEvent", "Base", "Bulletin", "Case", "CaseLink", "Deployment", "EventRuleState", "Incident", "KeySequence", "LoginFailure", "OrgUnit",
    "ProcessVersion", "Role", "Timer", "User", "UserRole", "WorkItem",
    "MessageSubscription", "CalendarDay", "CalendarYear", "Escalation", "Notification", "SlaClock", "SlaExtension", "Urging",
]
