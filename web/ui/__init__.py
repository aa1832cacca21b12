"""The people's pages: inbox, task page with its form, case list and case page, starting a case."""
from web.ui import locate  # noqa: F401  (its route registers on bp)
from web.ui.views import bp

__all__ = ["bp"]
