"""Command-line interface: Typer commands, Rich output, exit codes, error rendering."""
