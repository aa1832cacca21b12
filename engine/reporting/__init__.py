"""Bulletin (通报) definitions and their periods: configuration read from rules/bulletins/*.yaml.

Only the format and the calendar arithmetic live here, so deploy-time validation (engine.definitions)
can check the files without importing the figures and rendering of engine.bulletins."""
