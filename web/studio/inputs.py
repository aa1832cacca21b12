"""marshmallow schemas for what the studio accepts: JSON bodies from its scripts, query strings."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

MAX_FILE_CHARS = 2_000_000


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class FilesInput(_In):
    """Files to validate or deploy, laid over what is deployed: path -> text."""

    files = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=300)),
                        values=fields.String(validate=validate.Length(max=MAX_FILE_CHARS)), required=True,
                        validate=validate.Length(min=1, max=200))


class FormPreviewInput(_In):
    text = fields.String(required=True, validate=validate.Length(max=MAX_FILE_CHARS))
    path = fields.String(load_default="forms/preview.json", validate=validate.Length(min=1, max=300))
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh", "en")))


class EditQuery(_In):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2_147_483_647))


class NewFileQuery(_In):
    key = fields.String(load_default="", validate=validate.Regexp(r"^[A-Za-z0-9_\-]{0,80}$"))


class MigrationInput(_In):
    """The studio's migration form: versions, and the element map as `old=new` lines."""

    from_version = fields.Integer(required=True, data_key="from", validate=validate.Range(min=1, max=2_147_483_647))
    to_version = fields.Integer(required=True, data_key="to", validate=validate.Range(min=1, max=2_147_483_647))
    id_map = fields.String(load_default="", data_key="map", validate=validate.Length(max=10_000))


class ScenarioQuery(_In):
    file = fields.String(load_default=None, validate=validate.Length(max=200))


class ScenarioInput(_In):
    """A scenario file's text (docs/analyst-guide.md, "Testing with scenarios")."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=200_000))
    file = fields.String(load_default=None, validate=validate.Length(max=200))
