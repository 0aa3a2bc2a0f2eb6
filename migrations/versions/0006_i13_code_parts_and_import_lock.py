"""A code published in several files is one document assembled from its parts
(``documents.parts``, ``units.source_name``); ``library_locks`` serialises imports
(``kb.library.import_lock``).

Revision ID: 0006i13
Revises: 0005
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006i13'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents') as batch:  # existing documents have no parts
        batch.add_column(sa.Column('parts', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('documents') as batch:
        batch.alter_column('parts', server_default=None)
    with op.batch_alter_table('units') as batch:
        batch.add_column(sa.Column('source_name', sa.String(length=300), nullable=True))
    op.create_table('library_locks',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('library_locks')
    with op.batch_alter_table('units') as batch:
        batch.drop_column('source_name')
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('parts')
