"""A throwaway PostgreSQL cluster run from the installed server binaries.

See :mod:`deploy.postgres.cluster` (``PostgresCluster``). Nothing is imported here
so that ``python -m deploy.postgres.cluster`` runs without a double-import warning.
"""
