"""``shared_files`` (``kb.core.shared_files``): the director's dictionary and synonym files, kept in the
database so that every host writes the same into its data folder.

Starts empty: a host keeps its own files until the director's next edit saves them here.

Revision ID: 0005
Revises: 0004
Created: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shared_files',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('shared_files')
