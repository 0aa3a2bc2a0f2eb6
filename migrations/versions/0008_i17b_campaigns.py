"""``campaigns`` (``kb.channels.campaigns``): the 税收政策专题答疑 the director organises with the departments.

Revision ID: 0008_i17b
Revises: 0008_i17a
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_i17b'
down_revision = '0008_i17a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('opens_at', sa.String(length=5), nullable=False),
    sa.Column('closes_at', sa.String(length=5), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('experts', sa.JSON(), nullable=False),
    sa.Column('faq_ids', sa.JSON(), nullable=False),
    sa.Column('document_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_campaigns_starts_on'), 'campaigns', ['starts_on'], unique=False)
    op.create_index(op.f('ix_campaigns_ends_on'), 'campaigns', ['ends_on'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_campaigns_ends_on'), table_name='campaigns')
    op.drop_index(op.f('ix_campaigns_starts_on'), table_name='campaigns')
    op.drop_table('campaigns')
