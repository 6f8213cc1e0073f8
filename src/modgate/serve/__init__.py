"""modgate.serve (filled in by later issues)."""
