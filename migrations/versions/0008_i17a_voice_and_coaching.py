"""The 语音服务 (``kb.channels.voice_models``: the voice menu's keys, announcements, their versions, the FAQ
entries they rest on, recordings) and 业务辅导 (``kb.channels.coaching``: departments coaching the agents).

Revision ID: 0008_i17a
Revises: 0008_i18b
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_i17a'
down_revision = '0008_i18b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('voice_menu_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['voice_menu_nodes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_voice_menu_nodes_parent_id'), 'voice_menu_nodes', ['parent_id'], unique=False)
    op.create_table('voice_announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['voice_menu_nodes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_voice_announcements_node_id'), 'voice_announcements', ['node_id'], unique=False)
    op.create_table('coaching_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_by_name', sa.String(length=100), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('tax_type', sa.String(length=30), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answer_citations', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_by_name', sa.String(length=100), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('faq_entry_id', sa.Integer(), nullable=True),
    sa.Column('faq_left_out', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['faq_entry_id'], ['faq_entries.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_coaching_requests_answered_at'), 'coaching_requests', ['answered_at'], unique=False)
    op.create_index(op.f('ix_coaching_requests_asked_at'), 'coaching_requests', ['asked_at'], unique=False)
    op.create_index(op.f('ix_coaching_requests_asked_by_id'), 'coaching_requests', ['asked_by_id'], unique=False)
    op.create_index(op.f('ix_coaching_requests_department'), 'coaching_requests', ['department'], unique=False)
    op.create_index(op.f('ix_coaching_requests_due_at'), 'coaching_requests', ['due_at'], unique=False)
    op.create_index(op.f('ix_coaching_requests_state'), 'coaching_requests', ['state'], unique=False)
    op.create_table('voice_announcement_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_fields', sa.JSON(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['announcement_id'], ['voice_announcements.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_voice_announcement_versions_announcement_id'), 'voice_announcement_versions', ['announcement_id'], unique=False)
    op.create_table('voice_faq_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('faq_entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('faq_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['voice_announcements.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['faq_entry_id'], ['faq_entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_voice_faq_links_announcement_id'), 'voice_faq_links', ['announcement_id'], unique=False)
    op.create_index(op.f('ix_voice_faq_links_faq_entry_id'), 'voice_faq_links', ['faq_entry_id'], unique=False)
    op.create_table('voice_recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('announcement_version', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['voice_announcements.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_voice_recordings_announcement_id'), 'voice_recordings', ['announcement_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_voice_recordings_announcement_id'), table_name='voice_recordings')
    op.drop_table('voice_recordings')
    op.drop_index(op.f('ix_voice_faq_links_faq_entry_id'), table_name='voice_faq_links')
    op.drop_index(op.f('ix_voice_faq_links_announcement_id'), table_name='voice_faq_links')
    op.drop_table('voice_faq_links')
    op.drop_index(op.f('ix_voice_announcement_versions_announcement_id'), table_name='voice_announcement_versions')
    op.drop_table('voice_announcement_versions')
    op.drop_index(op.f('ix_coaching_requests_state'), table_name='coaching_requests')
    op.drop_index(op.f('ix_coaching_requests_due_at'), table_name='coaching_requests')
    op.drop_index(op.f('ix_coaching_requests_department'), table_name='coaching_requests')
    op.drop_index(op.f('ix_coaching_requests_asked_by_id'), table_name='coaching_requests')
    op.drop_index(op.f('ix_coaching_requests_asked_at'), table_name='coaching_requests')
    op.drop_index(op.f('ix_coaching_requests_answered_at'), table_name='coaching_requests')
    op.drop_table('coaching_requests')
    op.drop_index(op.f('ix_voice_announcements_node_id'), table_name='voice_announcements')
    op.drop_table('voice_announcements')
    op.drop_index(op.f('ix_voice_menu_nodes_parent_id'), table_name='voice_menu_nodes')
    op.drop_table('voice_menu_nodes')
