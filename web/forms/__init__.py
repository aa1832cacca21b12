"""Server-side HTML for engine forms; see render_form."""
from __future__ import annotations

from web.forms.render import render_form

__all__ = ["render_form"]
