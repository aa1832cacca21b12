"""SpiffWorkflow plumbing: parsing, running to the next wait state, pruning, serialising."""
