"""The search index's outbox: ``index_changes`` (``kb.library.index_outbox``), one row per document or FAQ
entry changed by a transaction, so that every host's index can follow changes made on the others.

Starts empty: an index that has no watermark yet applies every row from the first one on, which
is all of them, and ``flask check`` remains the safety net for what came before.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_index_changes_created_at', 'index_changes', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_index_changes_created_at', table_name='index_changes')
    op.drop_table('index_changes')
