"""load_form: the one way to get a FormDefinition from a file's content."""
from __future__ import annotations

from engine.errors import DefinitionInvalid
from engine.forms.checks import check_document
from engine.forms.definition import FormDefinition
from engine.forms.parse import decode


def load_form(text_or_bytes: str | bytes, filename: str) -> FormDefinition:
    """Parse and check one form file; raises DefinitionInvalid listing every problem."""
    doc, problems = decode(text_or_bytes, filename)
    if not problems:
        problems = check_document(doc, filename)
    if problems:
        raise DefinitionInvalid(problems)
    return FormDefinition(doc, filename)
