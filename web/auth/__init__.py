"""Sign-in, sign-out, the profile page with the API token, and the language switch."""
from web.auth.views import bp

__all__ = ["bp"]
