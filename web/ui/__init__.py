"""The people's pages: inbox, task page with its form, case list and case page, starting a case."""
from web.ui.views import bp

__all__ = ["bp"]
