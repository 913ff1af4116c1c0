"""The long bookkeeping texts every service database keeps are compressed with lz4, not PostgreSQL's default.

PostgreSQL compresses a text value of more than about 2 kB before it stores it out of line, by
default with its own pglz, which is slow. The longest such value written on every request is
the answer stored under an idempotency key: a submitted loan's answer carries its whole
schedule (about 21 kB for 120 months), compressed on every submission. With lz4 the database
server spends about 0.2 ms less CPU per loan submission (1.23 to 1.01 ms in alternated runs of
`bench/api.py`'s submission), which counts where the service, the database and the clients
share the cores. The outbox envelopes and the audit trail's before and after texts are usually
shorter than the threshold; when they are not, they are compressed the same way. Reading is
unchanged: a value says how it was compressed.

The columns' setting is changed by each service's migrations (`lz4_statements`); values already
stored keep their compression until rewritten. A server built without lz4 support keeps pglz
(the statement is skipped there), and SQLite has no such setting.
"""

from __future__ import annotations

LONG_TEXTS = (
    ("platform_idempotency_key", "response_body"),
    ("eventbus_outbox", "envelope"),
    ("platform_audit_entry", "before"),
    ("platform_audit_entry", "after"),
)
"""(table, column) of the shared bookkeeping tables whose values may exceed the compression threshold."""


def _set_compression(table: str, column: str, method: str) -> str:
    return f'ALTER TABLE {table} ALTER COLUMN "{column}" SET COMPRESSION {method}'


def _lz4_if_supported(table: str, column: str) -> str:
    """lz4 for the column, or a notice where the server was built without it."""
    return (
        f"DO $$ BEGIN EXECUTE '{_set_compression(table, column, 'lz4')}'; "
        "EXCEPTION WHEN feature_not_supported THEN "
        f"RAISE NOTICE '{table}.{column} keeps the default compression: no lz4 in this server'; END $$"
    )


def lz4_statements(dialect: str) -> list[str]:
    """The migration's statements: compress the long texts with lz4 from now on (PostgreSQL only)."""
    if dialect != "postgresql":
        return []
    return [_lz4_if_supported(table, column) for table, column in LONG_TEXTS]


def default_compression_statements(dialect: str) -> list[str]:
    """The downgrade's statements: back to the server's default compression."""
    if dialect != "postgresql":
        return []
    return [_set_compression(table, column, "default") for table, column in LONG_TEXTS]
