"""`python -m modgate` runs the CLI."""

from modgate.cli.main import main

main()
