"""Both appraisal schemes as the rules write them (issue 16): ``appraisal_rule_sets`` (the versioned
amounts of 绩效工资 and 目标责任制, ``kb.reports.appraisal_rules``), ``appraisal_events`` (the 绩效工资
entries: attendance, leave with its slip, complaints, praise…, ``kb.reports.pay``), and on
``appraisal_sheets`` the published rating, flags and pay, the hand-in of the month's statistics,
the written report and the 一票否决; ``official_calendars`` (the State Council's holiday notice of a
year the ``chinese_calendar`` package does not cover yet, ``kb.core.official_calendar``); ``bulletin_issues``
(the director's 加工提炼 of a 信息专报 and the departments it is shared with, ``kb.reports.bulletin_issues``);
``answer_reviews`` (the director's verdict on an on-the-spot answer without a citation, ``kb.hotline.lawful_answers``).

Revision ID: 0007i16
Revises: 0006i13
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007i16'
down_revision = '0006_i18'
branch_labels = None
depends_on = None

SHEET_COLUMNS = (
    ('published_rating', sa.String(length=10)),
    ('published_flags', sa.JSON()),
    ('published_pay', sa.JSON()),
    ('summary_handed_at', sa.DateTime()),
    ('report_causes', sa.Text()),
    ('report_remedies', sa.Text()),
    ('report_at', sa.DateTime()),
    ('veto_reason', sa.Text()),
)


def upgrade() -> None:
    op.create_table('appraisal_rule_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=10), nullable=False),
    sa.Column('effective_month', sa.String(length=7), nullable=False),
    sa.Column('amounts', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scheme', 'effective_month', name='uq_appraisal_rules_scheme_month'),
    )
    op.create_table('appraisal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('slip', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_appraisal_events_agent_id', 'appraisal_events', ['agent_id'])
    op.create_index('ix_appraisal_events_month', 'appraisal_events', ['month'])
    for name, kind in SHEET_COLUMNS:
        op.add_column('appraisal_sheets', sa.Column(name, kind, nullable=True))
    op.create_table('bulletin_issues',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('commentary', sa.JSON(), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('shared_with', sa.JSON(), nullable=False),
    sa.Column('shared_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('month'),
    )
    op.create_table('answer_reviews',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('call_id'),
    )
    op.create_table('official_calendars',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year'),
    )


def downgrade() -> None:
    op.drop_table('official_calendars')
    op.drop_table('answer_reviews')
    op.drop_table('bulletin_issues')
    with op.batch_alter_table('appraisal_sheets') as batch:
        for name, _ in reversed(SHEET_COLUMNS):
            batch.drop_column(name)
    op.drop_index('ix_appraisal_events_month', table_name='appraisal_events')
    op.drop_index('ix_appraisal_events_agent_id', table_name='appraisal_events')
    op.drop_table('appraisal_events')
    op.drop_table('appraisal_rule_sets')
