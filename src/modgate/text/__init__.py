"""modgate.text (filled in by later issues)."""
