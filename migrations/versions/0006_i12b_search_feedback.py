"""``citation_copies`` and ``ranker_trainings`` (``kb.library.search_feedback``): what agents copied after a
search (relevance judgements from use) and the record of each ``flask train-ranker``.

Revision ID: 0006_i12b
Revises: 0006_i18
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_i12b'
down_revision = '0007i16'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('citation_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('copied_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_citation_copies_copied_at'), 'citation_copies', ['copied_at'], unique=False)
    op.create_index(op.f('ix_citation_copies_unit_id'), 'citation_copies', ['unit_id'], unique=False)
    op.create_index(op.f('ix_citation_copies_user_id'), 'citation_copies', ['user_id'], unique=False)
    op.create_table('ranker_trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trained_at', sa.DateTime(), nullable=False),
    sa.Column('kept_new', sa.Boolean(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_ranker_trainings_trained_at'), 'ranker_trainings', ['trained_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ranker_trainings_trained_at'), table_name='ranker_trainings')
    op.drop_table('ranker_trainings')
    op.drop_index(op.f('ix_citation_copies_user_id'), table_name='citation_copies')
    op.drop_index(op.f('ix_citation_copies_unit_id'), table_name='citation_copies')
    op.drop_index(op.f('ix_citation_copies_copied_at'), table_name='citation_copies')
    op.drop_table('citation_copies')
