"""业务辅导: a department explains a policy question to the agents; no caller, a referral's deadline, the
answer's citations checked, and the answer becomes an FAQ draft and a note every agent finds."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.core.actors import SYSTEM
from kb.channels.models import ANSWERED, RETURNED, SENT, CoachingRequest
from kb.channels.coaching import (
    CoachingError, NewCoaching, answer_coaching, ask_coaching, coaching_notes, open_requests, resend_coaching,
    return_coaching,
)
from kb.faq.models import DRAFT
from kb.core.permissions import Forbidden
from kb.accounts.users import NewUser, create_user
from kb.core.timestamps import BEIJING

MONDAY_10 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=BEIJING)
QUESTION = "纳税人丢失已开具的发票，应当如何处理？"


@pytest.fixture
def people(session):
    made = {}
    for username, role, department in (("zhuren", "director", None), ("zuoxi", "agent", None),
                                       ("zuoxi2", "agent", None), ("zhengguan", "department", "征管处"),
                                       ("suode", "department", "所得税处"), ("fagui", "policy", None)):
        made[username], _ = create_user(session, SYSTEM, NewUser(
            username=username, role=role, password="password-1", department=department,
            staff_no={"zuoxi": "1001", "zuoxi2": "1002"}.get(username)))
    session.commit()
    return made


def test_a_question_for_the_agents_has_no_caller_and_a_referrals_deadline(session, people):
    request = ask_coaching(session, people["zuoxi"], NewCoaching(question=QUESTION, department="征管处", at=MONDAY_10))
    assert request.state == SENT and request.due_at == dt.datetime(2025, 3, 5, 18, 0, tzinfo=BEIJING)  # two working days
    assert request.deadline_status(dt.datetime(2025, 3, 4, 9, 0, tzinfo=BEIJING)) == "剩 1 个工作日"
    assert request.is_overdue(dt.datetime(2025, 3, 6, 9, 0, tzinfo=BEIJING))
    assert not {"caller_name", "caller_contact", "call_id"} & set(CoachingRequest.__table__.columns.keys())
    assert open_requests(session, people["zhengguan"]) == [request]
    assert open_requests(session, people["suode"]) == []
    with pytest.raises(Forbidden, match="只有咨询服务员和中心主任可以请求业务辅导"):
        ask_coaching(session, people["fagui"], NewCoaching(question=QUESTION, department="征管处"))
    with pytest.raises(CoachingError, match="不是可请求辅导的业务部门"):
        ask_coaching(session, people["zuoxi"], NewCoaching(question=QUESTION, department="隔壁单位"))
    with pytest.raises(CoachingError, match="请填写需要辅导的政策问题"):
        ask_coaching(session, people["zuoxi"], NewCoaching(question="  ", department="征管处"))


def test_the_answer_is_checked_then_becomes_an_faq_draft_and_a_note(import_tax, session, people):
    import_tax("发票管理办法(2023-07-20).md")
    request = ask_coaching(session, people["zhuren"], NewCoaching(question=QUESTION, department="征管处",
                                                                  tax_type="发票", at=MONDAY_10))
    with pytest.raises(Forbidden, match="只有被请求的业务部门可以答复"):
        answer_coaching(session, people["suode"], {"request_id": request.id, "answer": "…"})
    with pytest.raises(CoachingError, match="辅导依据有误.*第九十九条"):  # the library holds the document
        answer_coaching(session, people["zhengguan"], {
            "request_id": request.id, "answer": "应当于发现丢失当日书面报告税务机关。",
            "citations": ["《中华人民共和国发票管理办法》第九十九条"]})
    assert request.state == SENT and request.faq_entry is None  # the refused answer stored nothing

    answer_coaching(session, people["zhengguan"], {
        "request_id": request.id, "answer": "应当于发现丢失当日书面报告税务机关；丢失发票的，由税务机关责令改正，可以处罚款。",
        "citations": ["《中华人民共和国发票管理办法》第三十四条第二款", "国家税务总局公告2099年第1号"],
        "at": dt.datetime(2025, 3, 4, 15, 0, tzinfo=BEIJING)})
    assert request.state == ANSWERED and request.answered_by_name == "zhengguan"
    draft = request.faq_entry
    assert draft.status == DRAFT and draft.question == QUESTION and draft.tax_types == ["发票"]
    assert [c.citation_text for c in draft.citations] == ["《中华人民共和国发票管理办法》第三十四条第二款"]
    assert request.faq_left_out == ["国家税务总局公告2099年第1号"]  # named for the editor to fix

    for reader in ("zuoxi2", "fagui", "zhuren"):  # every agent finds it, not only the one who asked
        assert coaching_notes(session, people[reader], "丢失 发票") == [request]
    assert coaching_notes(session, people["zuoxi2"], "丢失 社保") == []
    with pytest.raises(Forbidden):
        coaching_notes(session, people["suode"])


def test_a_second_answer_to_the_same_question_does_not_duplicate_the_faq(import_tax, session, people):
    import_tax("发票管理办法(2023-07-20).md")
    first = ask_coaching(session, people["zuoxi"], NewCoaching(question=QUESTION, department="征管处"))
    answer_coaching(session, people["zhengguan"], {"request_id": first.id, "answer": "书面报告。"})
    second = ask_coaching(session, people["zuoxi2"], NewCoaching(question=QUESTION, department="征管处"))
    answer_coaching(session, people["zhengguan"], {"request_id": second.id, "answer": "书面报告税务机关。"})
    assert first.faq_entry is not None and second.faq_entry is None
    assert len(coaching_notes(session, people["zuoxi"])) == 2


def test_a_returned_question_goes_again_with_a_new_deadline(session, people):
    request = ask_coaching(session, people["zuoxi"], NewCoaching(question="个税专项附加扣除怎么填？", department="征管处",
                                                                 at=MONDAY_10))
    with pytest.raises(CoachingError, match="须说明理由"):
        return_coaching(session, people["zhengguan"], {"request_id": request.id, "reason": ""})
    return_coaching(session, people["zhengguan"], {"request_id": request.id, "reason": "属所得税处职责"})
    assert request.state == RETURNED and request in open_requests(session, people["zuoxi"])
    with pytest.raises(Forbidden, match="只有提问人或中心主任"):
        resend_coaching(session, people["zuoxi2"], {"request_id": request.id, "department": "所得税处"})
    resend_coaching(session, people["zuoxi"], {"request_id": request.id, "department": "所得税处",
                                               "at": dt.datetime(2025, 3, 7, 19, 0, tzinfo=BEIJING)})  # Friday after 18:00
    assert request.state == SENT and request.department == "所得税处"
    assert request.due_at == dt.datetime(2025, 3, 12, 18, 0, tzinfo=BEIJING)  # day 0 is Monday the 10th
    assert open_requests(session, people["suode"]) == [request]
