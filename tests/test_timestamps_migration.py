"""Migration 0009_i19t: naive Beijing times (calls, the audit log) and naive UTC times (the FAQ) become
the same instants as aware UTC, and come back as they were on downgrade."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from kb.core import schema_migrations
from kb.core.db import make_engine, register_models
from kb.core.timestamps import BEIJING, UTC
from kb.faq.models import FaqEntry
from kb.accounts.audit import AuditEntry
from kb.hotline.calls import Call

REVISION = "0009_i19t"

# The tables as they were before the revision: naive DateTime columns.
_calls = sa.table("calls", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime),
                  sa.column("category", sa.String), sa.column("question", sa.Text), sa.column("citations", sa.JSON),
                  sa.column("disposition", sa.String))
_audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                  sa.column("actor_name", sa.String), sa.column("action", sa.String),
                  sa.column("object_type", sa.String), sa.column("object_id", sa.Integer), sa.column("detail", sa.JSON))
_faq = sa.table("faq_entries", *[sa.column(name, kind) for name, kind in (
    ("id", sa.Integer), ("question", sa.String), ("phrasings", sa.JSON), ("answer", sa.Text), ("tax_types", sa.JSON),
    ("status", sa.String), ("needs_review", sa.Boolean), ("version", sa.Integer), ("shown_count", sa.Integer),
    ("copied_count", sa.Integer), ("helpful_count", sa.Integer), ("not_helpful_count", sa.Integer),
    ("created_at", sa.DateTime), ("updated_at", sa.DateTime), ("published_at", sa.DateTime))])

# 07:30 on 1 June in Beijing, as the hotline wrote it; 23:30 on 31 May in UTC, as the FAQ wrote it.
CALL_AT = dt.datetime(2024, 6, 1, 7, 30, 15, 250000)
AUDIT_AT = dt.datetime(2024, 6, 1, 0, 5)
FAQ_AT = dt.datetime(2024, 5, 31, 23, 30)


def _old_rows(connection) -> None:
    connection.execute(sa.insert(_calls), [{"id": 1, "created_at": CALL_AT, "category": "政策咨询",
                                            "question": "个税起征点是多少", "citations": [], "disposition": "当场答复"}])
    connection.execute(sa.insert(_audit), [{"id": 1, "at": AUDIT_AT, "actor_name": "张丽", "action": "view",
                                            "object_type": "call", "object_id": 1, "detail": {}}])
    connection.execute(sa.insert(_faq), [{
        "id": 1, "question": "个税起征点是多少？", "phrasings": [], "answer": "每年六万元。", "tax_types": [],
        "status": "published", "needs_review": False, "version": 1, "shown_count": 0, "copied_count": 0,
        "helpful_count": 0, "not_helpful_count": 0, "created_at": FAQ_AT, "updated_at": FAQ_AT, "published_at": None}])


def _naive(engine) -> tuple:
    with engine.connect() as connection:
        return (connection.execute(sa.select(_calls.c.created_at)).scalar_one(),
                connection.execute(sa.select(_audit.c.at)).scalar_one(),
                connection.execute(sa.select(_faq.c.created_at, _faq.c.published_at)).one())


def test_beijing_and_utc_columns_become_the_same_instants_in_utc(database_url):
    register_models()
    engine = make_engine(database_url)
    try:
        before = schema_migrations._scripts().get_revision(REVISION).down_revision
        schema_migrations.upgrade(engine, before)
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":  # as a database made by create_all has it: the log refuses UPDATE
                connection.execute(sa.text("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))
            _old_rows(connection)

        schema_migrations.upgrade(engine, REVISION)
        with engine.connect() as connection:
            call_at = connection.execute(sa.select(Call.created_at)).scalar_one()
            audit_at = connection.execute(sa.select(AuditEntry.at)).scalar_one()
            faq_created, faq_published = connection.execute(
                sa.select(FaqEntry.created_at, FaqEntry.published_at)).one()
            if engine.dialect.name == "sqlite":
                triggers = connection.execute(sa.text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
                assert "audit_log_no_update" in triggers
        assert call_at == CALL_AT.replace(tzinfo=BEIJING)
        assert call_at.replace(tzinfo=None) == dt.datetime(2024, 5, 31, 23, 30, 15, 250000)  # UTC, fraction kept
        assert audit_at == AUDIT_AT.replace(tzinfo=BEIJING)
        assert faq_created == FAQ_AT.replace(tzinfo=UTC) == call_at.replace(microsecond=0, second=0)
        assert faq_published is None
        assert all(value.utcoffset() == dt.timedelta(0) for value in (call_at, audit_at, faq_created))

        schema_migrations.downgrade(engine, before)
        call_back, audit_back, (faq_back, published_back) = _naive(engine)
        assert (call_back, audit_back, faq_back, published_back) == (CALL_AT, AUDIT_AT, FAQ_AT, None)
    finally:
        engine.dispose()
