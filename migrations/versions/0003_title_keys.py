"""Title keys: ``documents.title_key`` and ``references.target_key`` (normalised titles, indexed).

Existing rows are filled in with ``kb.library.titles.normalise_title``, as the models do on every change.

Revision ID: 0003
Revises: 0002
Created: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kb.library.titles import normalise_title

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('documents', sa.Column('title_key', sa.String(length=300), nullable=False, server_default=''))
    op.add_column('references', sa.Column('target_key', sa.String(length=300), nullable=True))
    connection = op.get_bind()
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('title', sa.String),
                         sa.column('title_key', sa.String))
    for row in connection.execute(sa.select(documents.c.id, documents.c.title)).all():
        connection.execute(documents.update().where(documents.c.id == row.id)
                           .values(title_key=normalise_title(row.title)))
    references = sa.table('references', sa.column('id', sa.Integer), sa.column('target_title', sa.String),
                          sa.column('target_key', sa.String))
    rows = connection.execute(sa.select(references.c.id, references.c.target_title)
                              .where(references.c.target_title.is_not(None))).all()
    for row in rows:
        connection.execute(references.update().where(references.c.id == row.id)
                           .values(target_key=normalise_title(row.target_title)))
    op.create_index('ix_documents_title_key', 'documents', ['title_key'])
    op.create_index('ix_references_target_key', 'references', ['target_key'])


def downgrade() -> None:
    op.drop_index('ix_references_target_key', table_name='references')
    op.drop_index('ix_documents_title_key', table_name='documents')
    with op.batch_alter_table('references') as batch:
        batch.drop_column('target_key')
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('title_key')
