"""`sefund`: the back office's command line over the Python client (typer + rich)."""
