"""modgate.monitor (filled in by later issues)."""
