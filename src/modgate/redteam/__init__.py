"""modgate.redteam (filled in by later issues)."""
