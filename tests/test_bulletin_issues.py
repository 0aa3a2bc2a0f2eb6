"""An issue of the 信息专报 as sent: the director's 加工提炼 (commentary per section, the callers' 意见建议
with what became of each), shared with named departments, whose users then read that issue only."""
from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from kb.core.actors import SYSTEM
from kb.reports.bulletin import SECTIONS, build_bulletin, can_read_issue
from kb.reports.bulletin_issues import BulletinIssue, IssueError, save_editorial, share_issue
from kb.hotline.calls import NewCall, record_call
from kb.core.departments import seed_departments
from kb.core.permissions import Forbidden
from kb.accounts.users import NewUser, create_user
from tests.report_records import MONTH, NOW, PASSWORD, at, build_month
from tests.web_helpers import csrf_token, login


def suggestion_calls(session, records):
    answered = record_call(session, records.agent_a, NewCall(
        question="建议办税服务厅周六也开放", category="意见建议", answer="已记录，转中心主任。", at=at(9, 10),
        caller_name="周女士", caller_phone="13500000000"))
    put_through = record_call(session, records.agent_b, NewCall(
        question="建议电子税务局增加发票批量下载", category="意见建议", disposition="转接", transferred_to="征管处",
        at=at(10, 10)))
    return answered, put_through


def test_suggestions_show_what_became_of_each_and_the_commentary(session):
    records = build_month(session)
    answered, put_through = suggestion_calls(session, records)
    editorial = build_bulletin(session, MONTH, NOW).editorial
    assert [s.call_id for s in editorial.suggestions] == [answered.id, put_through.id]
    assert editorial.suggestions[0].handling == "当场答复：已记录，转中心主任。"
    assert editorial.suggestions[1].handling == "转接征管处" and editorial.suggestions[1].outcome is None
    with pytest.raises(Forbidden):
        save_editorial(session, records.agent_a, {"period": MONTH, "commentary": {"1": "x"}})
    with pytest.raises(IssueError, match="不是本期的意见建议"):
        save_editorial(session, records.director, {"period": MONTH, "outcomes": {str(records.calls["c1"].id): "x"}})
    save_editorial(session, records.director, {"period": MONTH, "commentary": {
        "1": "来电量受五一假期影响，前五天为零。", "7": "两条建议均已转有关部门研究。", "3": "  "},
        "outcomes": {str(put_through.id): "征管处已列入下季度系统升级计划"}})
    editorial = build_bulletin(session, MONTH, NOW).editorial
    assert editorial.comment(1).startswith("来电量") and editorial.comment(3) is None and editorial.comment(7)
    assert editorial.suggestions[1].outcome == "征管处已列入下季度系统升级计划"
    assert "周女士" not in repr(editorial.suggestions)


def test_sharing_lets_the_named_departments_read_that_issue_only(session):
    records = build_month(session)
    seed_departments(session)
    legal, _ = create_user(session, SYSTEM, NewUser(username="legal", role="department", department="法规处",
                                                  password=PASSWORD))
    assert not can_read_issue(session, legal, MONTH.key)
    with pytest.raises(IssueError, match="不是部门名称"):
        share_issue(session, records.director, {"period": MONTH, "departments": ["不存在处"]})
    share_issue(session, records.director, {"period": MONTH, "departments": ["法规处", "法规处", "稽查局"], "at": NOW})
    assert can_read_issue(session, legal, MONTH.key) and not can_read_issue(session, legal, "2024-04")
    assert not can_read_issue(session, records.dept, MONTH.key)        # 所得税处: not named
    share_issue(session, records.director, {"period": MONTH, "departments": []})
    assert not can_read_issue(session, legal, MONTH.key)


def test_bulletin_pages_editorial_and_sharing(app):
    with app.extensions["kb_storage"].session_factory() as session:
        records = build_month(session)
        seed_departments(session)
        suggestion_calls(session, records)
        session.commit()
    director = app.test_client()
    assert login(director, "director", PASSWORD).status_code == 302
    page = director.get("/reports/bulletin?month=2024-05")
    assert page.status_code == 200 and SECTIONS[6] in page.text and 'id="editorial-form"' in page.text
    token = csrf_token(page.text)
    assert director.post("/reports/bulletin/editorial?month=2024-05",
                         data={"comment_2": "个税问题集中，建议编写FAQ。", "csrf_token": token}).status_code == 302
    assert director.post("/reports/bulletin/share?month=2024-05",
                         data={"departments": ["所得税处"], "csrf_token": token}).status_code == 302
    dept = app.test_client()
    assert login(dept, "dept", PASSWORD).status_code == 302
    listing = dept.get("/reports/")
    assert listing.status_code == 200 and "2024-05" in listing.text
    shared = dept.get("/reports/bulletin?month=2024-05")
    assert shared.status_code == 200 and "个税问题集中" in shared.text and 'id="editorial-form"' not in shared.text
    assert "13500000000" not in shared.text and "周女士" not in shared.text
    document = dept.get("/reports/bulletin.docx?month=2024-05")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(document.data)).paragraphs)
    assert "【点评】个税问题集中" in text and SECTIONS[6] in text
    assert dept.get("/reports/bulletin?month=2024-04").status_code == 403
    assert dept.post("/reports/bulletin/share?month=2024-05", data={"departments": ["稽查局"],
                                                                     "csrf_token": csrf_token(shared.text)}
                     ).status_code == 403


def test_an_overlong_commentary_is_refused_in_chinese_and_nothing_is_saved(app):
    with app.extensions["kb_storage"].session_factory() as session:
        records = build_month(session)
        seed_departments(session)
        suggestion_calls(session, records)
        session.commit()
    director = app.test_client()
    assert login(director, "director", PASSWORD).status_code == 302
    token = csrf_token(director.get("/reports/bulletin?month=2024-05").text)
    refused = director.post("/reports/bulletin/editorial?month=2024-05", follow_redirects=True, data={
        "comment_1": "保存不了的点评", "comment_2": "长" * 4001, "outcome_1": "办" * 4001, "csrf_token": token})
    assert "第 2 部分点评：点评不能超过 4000 字" in refused.text and "办理情况不能超过 4000 字" in refused.text
    assert "保存不了的点评" not in refused.text
    with app.extensions["kb_storage"].session_factory() as session:
        assert session.scalar(select(func.count()).select_from(BulletinIssue)) == 0
