"""``router_models`` (``kb.hotline.routing_training``): the routing classifier in force, stored as the
corrections it was fitted on beside the shipped examples, with its calibration and the held-out
figures it was accepted on.

Starts empty: the model fitted on the shipped examples is used until ``flask train-router`` keeps one.

Revision ID: 0006_i18
Revises: 0005
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_i18'
down_revision = '0006_i14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('router_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.Column('temperature', sa.Float(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('held_out', sa.Integer(), nullable=False),
    sa.Column('accuracy_before', sa.Float(), nullable=True),
    sa.Column('accuracy_after', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('router_models')
