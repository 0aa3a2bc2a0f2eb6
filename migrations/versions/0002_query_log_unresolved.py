"""Query log: the agent's 未解决 mark (``query_log.unresolved``), which puts a search in the gaps queue.

Revision ID: 0002
Revises: 0001
Created: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database adopted from create_all (see kb.core.schema_migrations) may have the column already.
    if 'unresolved' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('query_log')}:
        op.add_column('query_log', sa.Column('unresolved', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('query_log') as batch:
        batch.drop_column('unresolved')
