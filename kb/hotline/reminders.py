"""催办: overdue referrals are reminded automatically, and escalated when reminders fail.

``send_reminders(session, now)`` is meant to run every few minutes (or at the start of each
working day). For each referral still waiting for the department's answer (state ``sent``):

1. once its due time has passed, it is reminded (催办 #1) and given one more working day:
   the department must answer by 18:00 of the next working day (``kb.core.workdays.due_at``);
2. still unanswered at that time, it is reminded again (催办 #2), with another working day;
3. still unanswered after that, a 催办无效报告 goes to the director (once).

Every 催办 and the escalation are logged in the referral's history. The run is idempotent:
calling it twice at the same moment changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.actors import SYSTEM
from kb.hotline.models import SENT, DirectorReport, Referral
from kb.hotline.director_reports import write_ineffective_report
from kb.hotline.referrals import log_event
from kb.core.workdays import due_at
from kb.core.timestamps import to_beijing

MAX_REMINDERS = 2


@dataclass
class ReminderRun:
    reminded: list[Referral] = field(default_factory=list)
    reports: list[DirectorReport] = field(default_factory=list)


def send_reminders(session: Session, now: dt.datetime) -> ReminderRun:
    run = ReminderRun()
    overdue = session.scalars(
        select(Referral).where(Referral.state == SENT, Referral.due_at < now, Referral.escalated.is_(False))
        .order_by(Referral.due_at, Referral.id)
    )
    for referral in overdue:
        current_due = referral.reminder_due_at or referral.due_at
        if now <= current_due:
            continue
        if referral.reminder_count < MAX_REMINDERS:
            referral.reminder_count += 1
            referral.reminder_due_at = due_at(now, 1)
            log_event(session, referral, SYSTEM, "reminder",
                      f"第 {referral.reminder_count} 次催办：已超过答复期限，请于 "
                      f"{to_beijing(referral.reminder_due_at):%Y-%m-%d %H:%M} 前答复", at=now)
            run.reminded.append(referral)
        else:
            referral.escalated = True
            report = write_ineffective_report(session, referral, now)
            log_event(session, referral, SYSTEM, "ineffective", f"催办无效报告 {report.id} 已报中心主任", at=now)
            run.reports.append(report)
    session.flush()
    return run
