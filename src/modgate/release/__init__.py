"""modgate.release (filled in by later issues)."""
