"""The API's blueprints: flask-smorest's, with a parser that builds each argument schema once.

webargs instantiates a schema class given to `@blp.arguments` on every request; on a task completion that
cost about as much as parsing the body. A schema's `load` keeps nothing between calls, so one instance
per class serves every request (flask-smorest already shares its response schemas the same way)."""
from __future__ import annotations

from typing import Any

import flask_smorest
from marshmallow import Schema
from webargs.flaskparser import FlaskParser


class SchemaOnceParser(FlaskParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._instances: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            instance = self._instances.get(argmap)
            if instance is None:
                instance = self._instances.setdefault(argmap, argmap())
            return instance
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SchemaOnceParser()
