"""Sign-in for people and programs: password checks with throttling, API tokens. No Flask here."""
