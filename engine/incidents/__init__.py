"""Incidents: what keeps a case from moving, in words, until an operator retries or cancels it.

Layer: above cases, timers and messages (it reads their rows and errors), below commands (which open
incidents when a timer step fails and retry them). See docs/operator-guide.md, "Incidents".
"""
