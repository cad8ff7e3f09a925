"""``ndflow.debugging``: numeric checks and assertions."""
