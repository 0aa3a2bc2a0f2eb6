"""A known month of records for the report tests (May 2024), built through the domain operations.

One record breaks each 100% promise; the expected figures are written beside the records.
May 2024: 1–5 May is the Labour Day holiday, 6 May a Monday; referrals are due at 18:00 of the
second working day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kb.core.actors import SYSTEM
from kb.hotline.calls import ANSWERED, REFERRED, TRANSFERRED, NewCall, record_call
from kb.faq.models import PUBLISHED, FaqEntry
from kb.core.periods import parse_month
from kb.reports.querylog import log_query
from kb.hotline.referrals import (
    NewReferral, close_referral, open_referral, record_feedback, reply_referral, send_referral,
)
from kb.hotline.reminders import send_reminders
from kb.accounts.users import NewUser, create_user
from kb.core.timestamps import BEIJING

MONTH = parse_month("2024-05")
NOW = dt.datetime(2024, 6, 10, 9, 0, tzinfo=BEIJING)
DEPT = "所得税处"
PIT = "个人所得税"
PASSWORD = "password-123"  # every account of the month


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=BEIJING)


@dataclass
class Records:
    director: object
    agent_a: object
    agent_b: object
    dept: object
    calls: dict
    referrals: dict
    faq: FaqEntry


def _user(session, username, role, **fields):
    user, _ = create_user(session, SYSTEM, NewUser(username=username, role=role, password=PASSWORD, **fields))
    return user


def build_month(session) -> Records:
    director = _user(session, "director", "director")
    a = _user(session, "agent-a", "agent", staff_no="1001", display_name="张丽")
    b = _user(session, "agent-b", "agent", staff_no="1002", display_name="王强")
    dept = _user(session, "dept", "department", department=DEPT)
    faq = FaqEntry(question="个税每年可以减除多少费用？起征点是多少？", phrasings=["个税起征点是多少", "工资多少不用交个税"],
                   answer="居民个人综合所得以每年收入额减除费用六万元后的余额为应纳税所得额。", tax_types=[PIT],
                   status=PUBLISHED, owner_id=a.id, published_at=at(15, 9))
    session.add(faq)

    def call(actor, when, question, disposition=ANSWERED, **fields):
        answer = fields.pop("answer", "已当场答复。" if disposition == ANSWERED else None)
        return record_call(session, actor, NewCall(question=question, disposition=disposition, answer=answer,
                                                   at=when, **fields))

    def refer(actor, when, c=None, question=None, sent_after=dt.timedelta(minutes=5)):
        r = open_referral(session, actor, NewReferral(
            caller_name="李女士", caller_contact="13900000000", call_id=c.id if c else None, question=question,
            tax_type=PIT, department=DEPT, at=when))
        send_referral(session, actor, {"referral_id": r.id, "at": when + sent_after})
        return r

    caller = {"caller_name": "李女士", "caller_phone": "13900000000", "tax_type": PIT}
    calls = {
        "c1": call(a, at(6, 10), "个税起征点是多少？", tax_type=PIT),
        "c2": call(a, at(6, 11), "请问个税起征点是多少", tax_type=PIT),
        "c3": call(b, at(7, 10), "个税的起征点是多少呢", tax_type=PIT),
        "c4": call(b, at(7, 14), "发票丢了怎么办", tax_type="增值税"),
        "c5": call(director, at(7, 15), "企业所得税汇算清缴截止日期"),          # no 工号: breaks 100%报工号
        "c6": call(a, at(8, 9), "社保费缴费基数怎么定", TRANSFERRED),          # no department: breaks 100%有记录
        "c7": call(a, at(8, 10), "年终奖单独计税怎么申报", REFERRED, **caller),
        "c8": call(b, at(13, 10), "劳务报酬预扣率是多少", REFERRED, **caller),  # no feedback: breaks 有答复或反馈
        "c9": call(b, at(14, 10), "外籍人员住房补贴免税吗", REFERRED, **caller),  # never sent: breaks 100%受理
        "c10": call(a, at(20, 10), "大病医疗扣除怎么填", REFERRED, **caller),   # late, never reminded: breaks 督办
        "c11": call(a, at(27, 10), "继续教育扣除有哪些", REFERRED, **caller),   # late, reminded: keeps 督办
        "c12": call(b, at(28, 10), "举报某公司虚开发票", TRANSFERRED, category="举报", transferred_to="稽查局"),
    }
    april = [call(a, at(22, 10, month=4), "发票丢了怎么办"), call(b, at(23, 10, month=4), "发票丢了怎么办？")]

    r7 = refer(a, at(8, 10, 5), calls["c7"])
    reply_referral(session, dept, {"referral_id": r7.id, "answer": "可单独计税。", "at": at(9, 15)})
    record_feedback(session, a, {"referral_id": r7.id, "feedback": "已告知。", "at": at(9, 16)})
    close_referral(session, a, {"referral_id": r7.id, "at": at(9, 17)})
    r8 = refer(b, at(13, 10), calls["c8"])
    reply_referral(session, dept, {"referral_id": r8.id, "answer": "按20%至40%预扣。", "at": at(14, 9)})
    r10 = refer(a, at(20, 10), calls["c10"])
    reply_referral(session, dept, {"referral_id": r10.id, "answer": "据实填报。", "at": at(24, 10)})
    record_feedback(session, a, {"referral_id": r10.id, "feedback": "已告知。", "at": at(24, 11)})
    r13 = refer(b, at(21, 10), None, question="个体户经营所得汇算怎么办", sent_after=dt.timedelta(0))  # no call record
    reply_referral(session, dept, {"referral_id": r13.id, "answer": "次年3月31日前办理。", "at": at(22, 10)})
    record_feedback(session, b, {"referral_id": r13.id, "feedback": "已告知。", "at": at(22, 11)})
    r11 = refer(a, at(27, 10), calls["c11"])
    send_reminders(session, at(30, 9))
    reply_referral(session, dept, {"referral_id": r11.id, "answer": "学历和职业资格继续教育。", "at": at(30, 15)})
    record_feedback(session, a, {"referral_id": r11.id, "feedback": "已告知。", "at": at(30, 16)})

    for query, found, when in (("个税起征点", 5, at(6, 10)), ("残保金申报", 0, at(6, 11)),
                               ("残保金 申报", 0, at(7, 9)), ("文化事业建设费", 0, at(7, 10, month=4))):
        entry = log_query(session, a.id, query=query, result_count=found)
        entry.created_at = when
    session.flush()
    return Records(director, a, b, dept, {**calls, "april": april},
                   {"r7": r7, "r8": r8, "r10": r10, "r11": r11, "r13": r13}, faq)
