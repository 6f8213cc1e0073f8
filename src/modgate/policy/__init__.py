"""modgate.policy (filled in by later issues)."""
