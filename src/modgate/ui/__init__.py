"""modgate.ui (filled in by later issues)."""
