"""Trividend: equity participations in social enterprises, committee decisions, valuations and fund performance."""
