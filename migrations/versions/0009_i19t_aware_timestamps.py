"""Every ``*_at`` column holds an aware UTC moment (``kb.core.timestamps.UtcDateTime``).

Until this revision two conventions shared the database, both naive: the library, the FAQ, accounts,
API tokens, campaigns and shared files held UTC (``utcnow``, ``func.now()``), while calls, referrals,
the audit log, the query log and everything else of the hotline held Beijing time (``beijing_now``).
Each column is converted from what it held: on PostgreSQL to ``timestamptz`` read in its zone
(``AT TIME ZONE``), on SQLite (no time-zone type; UTC text) the Beijing columns are shifted by 8 hours.
Downgrade writes back each column's old convention.

Revision ID: 0009_i19t
Revises: 0008_i17b
Created: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_i19t'
down_revision = '0008_i17b'
branch_labels = None
depends_on = None

# Written with ``beijing_now`` (or the hotline's Beijing ``at``): naive Beijing time.
BEIJING_COLUMNS = {
    'answer_reviews': ['reviewed_at'],
    'appraisal_events': ['created_at'],
    'appraisal_rule_sets': ['created_at'],
    'appraisal_sheets': ['self_scored_at', 'updated_at', 'published_at', 'summary_handed_at', 'report_at'],
    'audit_log': ['at'],
    'bulletin_issues': ['shared_at', 'updated_at'],
    'calls': ['created_at'],
    'citation_copies': ['copied_at'],
    'coaching_requests': ['asked_at', 'sent_at', 'due_at', 'answered_at'],
    'demo_records': ['created_at'],
    'director_reports': ['created_at', 'handled_at'],
    'official_calendars': ['entered_at'],
    'query_log': ['created_at'],
    'ranker_trainings': ['trained_at'],
    'referral_events': ['at'],
    'referrals': ['created_at', 'sent_at', 'due_at', 'reminder_due_at', 'answered_at', 'feedback_at', 'closed_at'],
    'router_models': ['created_at'],
    'routing_rules': ['updated_at'],
    'voice_announcement_versions': ['changed_at'],
    'voice_announcements': ['updated_at'],
    'voice_menu_nodes': ['created_at'],
    'voice_recordings': ['recorded_at'],
}
# Written with ``utcnow``/``_utcnow``/``_now`` or the database's ``now()``: naive UTC.
UTC_COLUMNS = {
    'api_tokens': ['created_at', 'last_used_at', 'revoked_at'],
    'campaigns': ['created_at', 'updated_at'],
    'documents': ['imported_at', 'updated_at'],
    'faq_entries': ['flagged_at', 'created_at', 'updated_at', 'published_at'],
    'faq_versions': ['changed_at'],
    'index_changes': ['created_at'],
    'library_locks': ['taken_at'],
    'login_failures': ['failed_at'],
    'shared_files': ['updated_at'],
    'users': ['created_at', 'last_login_at'],
}
BEIJING = 'Asia/Shanghai'
# The append-only audit log refuses UPDATE on SQLite (kb.accounts.audit): lifted for the shift only.
_SQLITE_AUDIT_TRIGGER = 'audit_log_no_update'


def _columns():
    for zone, tables in ((BEIJING, BEIJING_COLUMNS), ('UTC', UTC_COLUMNS)):
        for table, columns in tables.items():
            for column in columns:
                yield zone, table, column


def _postgresql(aware: bool) -> None:
    target = 'TIMESTAMP WITH TIME ZONE' if aware else 'TIMESTAMP WITHOUT TIME ZONE'
    for zone, table, column in _columns():
        # naive → aware reads the naive value in its zone; aware → naive gives the clock time in that zone.
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {target} '
                   f"USING {column} AT TIME ZONE '{zone}'")


def _sqlite(hours: int) -> None:
    connection = op.get_bind()
    trigger = connection.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                                 {'name': _SQLITE_AUDIT_TRIGGER}).scalar()
    if trigger:
        op.execute(f'DROP TRIGGER {_SQLITE_AUDIT_TRIGGER}')
    for table, columns in BEIJING_COLUMNS.items():
        for column in columns:
            # datetime() drops the fraction of a second: the stored fraction (from character 20) is kept.
            op.execute(f"UPDATE {table} SET {column} = datetime({column}, '{hours:+d} hours') || substr({column}, 20) "
                       f'WHERE {column} IS NOT NULL')
    if trigger:
        op.execute(trigger)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql(aware=True)
    else:
        _sqlite(-8)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql(aware=False)
    else:
        _sqlite(+8)
