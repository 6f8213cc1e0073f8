"""modgate.evaluate (filled in by later issues)."""
