"""Command-line interface: a Typer app, one module per noun; a skin over the library."""
