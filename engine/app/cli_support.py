"""What every `casegrid` subcommand shares: the database, the acting user, output, one-line failures."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from sqlalchemy.exc import OperationalError

from engine.app.boot import boot
from engine.app.bootstrap import ensure_instance_dir
from engine.commands.incidents import record_failed_action
from engine.config import settings
from engine.errors import CasegridError, DefinitionInvalid, InvalidInput
from engine.org.access import Actor
from engine.org.service import actor_for
from engine.store.database import Database

F = TypeVar("F", bound=Callable[..., Any])


def _fail(lines: list[str], code: int = 1) -> None:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(code)


def reports_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DefinitionInvalid as exc:
            _fail([str(p) for p in exc.problems])
        except InvalidInput as exc:
            details = exc.details or {}
            lines = [f"{field}: {'; '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                     for field, msgs in details.items()] if isinstance(details, dict) else []
            _fail([exc.message, *lines])
        except CasegridError as exc:
            _fail([f"{exc.code}: {exc.message}"])
        except FileNotFoundError as exc:
            _fail([f"no such file or folder: {exc.args[0] if exc.args else exc}"])
        except json.JSONDecodeError as exc:
            _fail([f"--data is not valid JSON: {exc}"])
        except OperationalError as exc:
            _fail([f"database: {' '.join(str(exc.orig).split())} (run `casegrid init` first?)"])
        except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
            if os.environ.get("CASEGRID_DEBUG"):
                raise
            _fail([f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"], code=70)

    return wrapper  # type: ignore[return-value]


def _db() -> Database:
    boot()
    ensure_instance_dir(settings())
    return Database(settings().database_url)


def _emit(as_json: bool, payload: Any, text: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, default=str) if as_json else text)


def _actor(session: Any, username: str) -> Actor:
    return actor_for(session, username)


@contextmanager
def recording_failures(db: Database, username: str) -> Iterator[None]:
    """A user's start or completion that fails on its definition is recorded for the operators, as the
    web and the API record it (engine.commands.incidents.record_failed_action), then reported."""
    try:
        yield
    except CasegridError as exc:
        record_failed_action(db, exc, username)
        raise
