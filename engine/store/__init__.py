"""Persistence: SQLAlchemy 2.x models live beside their domain; this package holds the plumbing."""
