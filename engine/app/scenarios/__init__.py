"""An analyst's test bench: scenario files run a case on a throwaway database under a simulated clock.

``format`` reads and checks a scenario file (docs/analyst-guide.md, "Testing with scenarios");
``clock`` turns "3 working days" or "to 2026-10-08 09:00" into an instant; ``world`` builds the throwaway
database from a definitions folder; ``running`` performs the steps through the command layer, firing
timers as the clock passes them, and checks the expectations, one result line each.
"""
