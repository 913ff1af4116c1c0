"""lz4 for the long bookkeeping texts: stored answers of idempotency keys, outbox envelopes, audit texts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 06:20:00
"""

from collections.abc import Sequence

from alembic import op

from shared.platform.text_compression import default_compression_statements, lz4_statements

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in lz4_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in default_compression_statements(op.get_bind().dialect.name):
        op.execute(statement)
