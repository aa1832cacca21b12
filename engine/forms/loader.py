"""load_form: the one way to get a FormDefinition from a file's content."""
from __future__ import annotations

from functools import lru_cache

from engine.errors import DefinitionInvalid
from engine.forms.checks import check_document
from engine.forms.definition import FormDefinition
from engine.forms.parse import decode

# A form is a pure function of its file's content and name, and FormDefinition is never changed after it is
# built: checking the file against the JSON Schema meta-schema costs milliseconds, and every deployed version
# (and every validate of an unchanged file) would otherwise pay it again for the same text.
_CACHED_FORMS = 1024


def load_form(text_or_bytes: str | bytes, filename: str) -> FormDefinition:
    """Parse and check one form file; raises DefinitionInvalid listing every problem."""
    return _load_checked(text_or_bytes, filename)


@lru_cache(maxsize=_CACHED_FORMS)
def _load_checked(text_or_bytes: str | bytes, filename: str) -> FormDefinition:
    doc, problems = decode(text_or_bytes, filename)
    if not problems:
        problems = check_document(doc, filename)
    if problems:
        raise DefinitionInvalid(problems)
    return FormDefinition(doc, filename)
