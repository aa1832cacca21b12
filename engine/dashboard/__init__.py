"""The supervisor dashboard's reads and actions, composed from engine.sla queries and services.

One call per page or action (web/dashboard stays thin); nothing here imports Flask.
"""
