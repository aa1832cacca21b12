"""Engine services that colleagues are still building (return, extensions, messages, SLA overview).

Each is looked up when called; until it exists the request answers 501 with the usual error shape,
so the routes, schemas and pages are in place and start working the moment the service lands.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from engine.errors import CasegridError


class NotImplementedYet(CasegridError):
    code = "not_implemented"
    status = 501


def service(module: str, name: str) -> Callable[..., Any]:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError:
        found = None
    if found is None:
        raise NotImplementedYet(f"{module}.{name} is not available in this build")
    return found


def available(module: str, name: str) -> bool:
    try:
        return getattr(importlib.import_module(module), name, None) is not None
    except ModuleNotFoundError:
        return False
