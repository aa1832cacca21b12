"""Who may decide an extension request: read by the SLA services and by definition validation alike."""
from __future__ import annotations

# Holders of these roles decide extension requests (the generic endpoint and a process's task with
# the property slaExtensionDecision); anyone else completing such a task is refused.
DECIDING_ROLES = frozenset({"supervisor", "department_head", "admin"})
