"""Platform kit: settings, database, HTTP app factory, auth, errors, idempotency, health.

Modules here may import FastAPI and SQLAlchemy, except `rules`, which domain code imports and
which therefore stays framework-free.
"""
