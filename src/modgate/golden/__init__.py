"""modgate.golden (filled in by later issues)."""
