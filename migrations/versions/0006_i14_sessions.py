"""``users.session_generation``: login sessions that the server can end (logout, password change,
an account switched off), see ``kb.accounts.users.end_sessions``.

Revision ID: 0006_i14
Revises: 0005
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_i14'
down_revision = '0006i13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
