"""转办单 pages: who may open what, the workflow through the forms (the feedback rule included),
confidentiality as each role sees it (and the audit log), 催办 in the inbox, knowledge capture
and the director's routing rules editor."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from kb.accounts import audit
from kb.core.db import transaction
from kb.core.departments import seed_departments
from kb.hotline.models import CLOSED, FEEDBACK, REPLIED, SENT, DirectorReport, Referral, RoutingRule
from kb.faq.models import FaqEntry
from kb.hotline.redaction import REDACTED
from kb.hotline.referrals import NewReferral, refer_unanswered, reply_referral
from kb.accounts.models import User
from tests.web_helpers import add_user, csrf_token, login, post_form

# name -> (role, department, 工号)
PEOPLE = {
    "agent": ("agent", None, "1001"),         # the 首问责任人
    "agent2": ("agent", None, "1002"),
    "policy": ("policy", None, None),
    "director": ("director", None, None),
    "admin": ("admin", None, None),
    "inspection": ("department", "稽查局", None),
    "supervision": ("department", "监察室", None),
    "income": ("department", "所得税处", None),
}
INCOME_QUESTION = "个人所得税专项附加扣除中子女教育怎么填报比较复杂"
REPORT_QUESTION = "我要举报某公司虚开增值税发票"


@pytest.fixture
def people(app):
    """Builder: a test client logged in as one of ``PEOPLE`` (the account is made on first use)."""
    made: set[str] = set()

    def user(name: str) -> None:
        if name not in made:
            role, department, staff_no = PEOPLE[name]
            add_user(app, name, role, department=department, staff_no=staff_no)
            made.add(name)

    def client(name: str):
        user(name)
        client = app.test_client()
        assert login(client, name).status_code == 302
        return client

    client.user = user
    return client


def _db(app):
    return transaction(app.extensions["kb_storage"].session_factory)


def _actor(session, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


@pytest.fixture
def referral_to(app, people):
    """Builder: a referral sent by ``agent`` (question, category) → its id."""
    people.user("agent")

    def build(question: str = INCOME_QUESTION, category: str = "政策咨询", reply_by: str | None = None) -> int:
        if reply_by:
            people.user(reply_by)
        with _db(app) as session:
            seed_departments(session)
            referral = refer_unanswered(session, _actor(session, "agent"), NewReferral(
                caller_name="赵某", caller_contact="13900000000", question=question, category=category), send=True)
            if reply_by:
                reply_referral(session, _actor(session, reply_by), {
                    "referral_id": referral.id, "answer": "按规定填报即可。",
                    "citations": ["《中华人民共和国发票管理办法》第二十二条", "《不存在的办法》第一条"]})
            return referral.id

    return build


def _referral(app, referral_id: int) -> Referral:
    with _db(app) as session:
        referral = session.get(Referral, referral_id)
        session.expunge(referral)
        return referral


# -- who may open what ---------------------------------------------------------------------------

ALL = set(PEOPLE)
HOTLINE = {"agent", "agent2", "policy", "director", "admin"}
TAKERS = {"agent", "agent2", "director"}
DEPARTMENTS = {"inspection", "supervision", "income"}
ROUTES = [
    ("/referrals/", HOTLINE | DEPARTMENTS),   # department users are sent on to their inbox
    ("/referrals/inbox", DEPARTMENTS),
    ("/referrals/feedback", TAKERS),
    ("/referrals/new?question=发票丢了", TAKERS),
    ("/referrals/suggest.json?question=我要举报偷税", TAKERS),
    ("/referrals/{referral}", HOTLINE | {"income"}),
    ("/referrals/reports", {"director"}),
    ("/referrals/reports/new", TAKERS),
    ("/referrals/audit", {"director"}),
    ("/routing/rules", {"director", "admin"}),
    ("/routing/rules/new", {"director", "admin"}),
    ("/calls/today", TAKERS),
]


@pytest.mark.parametrize("who", PEOPLE)
def test_route_by_role(app, people, referral_to, who):
    client, referral_id = people(who), referral_to()
    for path, allowed in ROUTES:
        response = client.get(path.format(referral=referral_id))
        if who not in allowed:
            assert response.status_code == 403, path
            assert "没有权限" in (response.json["error"] if response.is_json else response.text), path
        elif who in DEPARTMENTS and path == "/referrals/":
            assert response.status_code == 302 and response.location.endswith("/referrals/inbox")
        else:
            assert response.status_code == 200, (path, response.text[:300])


@pytest.mark.parametrize("path", ["/referrals/", "/referrals/inbox", "/referrals/1", "/routing/rules", "/calls/today"])
def test_anonymous_visitors_are_sent_to_log_in(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_department_sees_only_its_own_referrals(app, people, referral_to):
    mine, theirs = referral_to(), referral_to(REPORT_QUESTION, "举报")
    inbox = people("income").get("/referrals/inbox").text
    assert f'data-id="{mine}"' in inbox and f'data-id="{theirs}"' not in inbox
    inspection = people("inspection")
    assert f'data-id="{theirs}"' in inspection.get("/referrals/inbox").text
    assert inspection.get(f"/referrals/{mine}").status_code == 403
    page = inspection.get("/referrals/inbox")
    response = inspection.post(f"/referrals/{mine}/reply", data={"answer": "x", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 403
    assert _referral(app, mine).state == SENT


# -- the workflow through the pages --------------------------------------------------------------

def test_from_an_unanswered_search_to_closure(app, people):
    agent = people("agent")
    draft = agent.get("/referrals/new", query_string={
        "question": INCOME_QUESTION, "searched": ["子女教育 扣除", "专项附加扣除 填报"],
        "articles": ["《中华人民共和国个人所得税法》第六条"]})
    assert "所得税处" in draft.text and "模型判断" in draft.text  # the suggestion and its reason
    form = {"question": INCOME_QUESTION, "category": "政策咨询", "tax_type": "", "department": "所得税处",
            "searched": ["子女教育 扣除", "专项附加扣除 填报"], "articles": ["《中华人民共和国个人所得税法》第六条"],
            "caller_name": "", "caller_contact": "13900000000", "action": "send",
            "csrf_token": csrf_token(draft.text)}
    refused = agent.post("/referrals/new", data=form)
    assert refused.status_code == 400 and "姓名和联系方式" in refused.text
    sent = agent.post("/referrals/new", data={**form, "caller_name": "赵某"})
    assert sent.status_code == 302
    referral_id = int(sent.location.rsplit("/", 1)[1])
    referral = _referral(app, referral_id)
    assert (referral.state, referral.department, referral.caller_name) == (SENT, "所得税处", "赵某")
    assert referral.searched == ["子女教育 扣除", "专项附加扣除 填报"] and referral.due_at is not None
    assert referral.call_id is not None  # the call is recorded too (100% 有记录)
    assert INCOME_QUESTION[:10] in agent.get("/calls/today").text

    income = people("income")
    url = f"/referrals/{referral_id}"
    assert post_form(income, f"{url}/reply", {"answer": "子女教育按每个子女每月2000元扣除。",
                                              "citations": "《中华人民共和国个人所得税法》第六条"}, url).status_code == 302
    assert _referral(app, referral_id).state == REPLIED

    assert f'data-id="{referral_id}"' in agent.get("/referrals/feedback").text  # 待反馈
    assert "待反馈" in agent.get("/").text
    # nothing closes without feedback
    refused = post_form(agent, f"{url}/close", {}, url, follow_redirects=True)
    assert "尚未记录回访反馈" in refused.text
    assert _referral(app, referral_id).state == REPLIED
    assert post_form(agent, f"{url}/feedback", {"feedback": "已电话告知纳税人，纳税人表示清楚。"}, url).status_code == 302
    assert _referral(app, referral_id).state == FEEDBACK
    assert post_form(agent, f"{url}/close", {}, url).status_code == 302
    closed = _referral(app, referral_id)
    assert closed.state == CLOSED and closed.closed_at is not None
    page = agent.get(url).text
    assert "已办结" in page and "回访反馈" in page


def test_only_the_first_agent_follows_up(app, people, referral_to):
    referral_id = referral_to(reply_by="income")
    url = f"/referrals/{referral_id}"
    other = people("agent2")
    assert 'id="feedback-form"' not in other.get(url).text
    assert post_form(other, f"{url}/feedback", {"feedback": "x"}, url).status_code == 403
    assert _referral(app, referral_id).state == REPLIED


def test_a_department_returns_a_referral_with_a_reason(app, people, referral_to):
    referral_id = referral_to()
    url = f"/referrals/{referral_id}"
    income = people("income")
    empty = post_form(income, f"{url}/return", {"reason": " "}, url, follow_redirects=True)
    assert "须说明理由" in empty.text and _referral(app, referral_id).state == SENT
    post_form(income, f"{url}/return", {"reason": "属于征管问题，请转征管处"}, url)
    assert _referral(app, referral_id).state == "returned"
    agent = people("agent")
    assert "属于征管问题" in agent.get(url).text
    post_form(agent, f"{url}/send", {"department": "征管处"}, url)
    referral = _referral(app, referral_id)
    assert (referral.state, referral.department) == (SENT, "征管处")


# -- confidentiality ---------------------------------------------------------------------------------

CASES = {  # question, category, who sees the caller in clear (among those who may open it)
    "report": (REPORT_QUESTION, "举报", {"director", "inspection"}),
    "complaint": ("税务局窗口工作人员态度恶劣我要投诉", "投诉", {"director", "supervision"}),
    "policy": (INCOME_QUESTION, "政策咨询", HOTLINE | {"income"}),
}
RECEIVERS = {"report": "inspection", "complaint": "supervision", "policy": "income"}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("who", PEOPLE)
def test_identity_through_the_pages(app, people, referral_to, case, who):
    question, category, clear = CASES[case]
    referral_id = referral_to(question, category)
    client = people(who)
    response = client.get(f"/referrals/{referral_id}")
    if who not in HOTLINE | {RECEIVERS[case]}:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    with _db(app) as session:
        entries = [(e.action, e.actor_name) for e in audit.entries_for(session, "referral", referral_id)
                   if e.action == audit.VIEW_IDENTITY]
    if who in clear:
        assert "赵某" in response.text and "13900000000" in response.text
    else:
        assert "赵某" not in response.text and "13900000000" not in response.text
        assert REDACTED in response.text
    if case != "policy" and who in clear:
        assert entries == [(audit.VIEW_IDENTITY, who)]  # every view in clear is audited
    else:
        assert entries == []
    # lists never show the caller, nor a report's content to those who may not see it
    listing = client.get("/referrals/inbox" if who in DEPARTMENTS else "/referrals/?all=1").text
    assert "13900000000" not in listing
    assert (question[:8] in listing) == (case == "policy" or who in clear)


def test_the_director_reads_the_audit_log(app, people, referral_to):
    referral_id = referral_to(REPORT_QUESTION, "举报")
    people("inspection").get(f"/referrals/{referral_id}")
    log = people("director").get("/referrals/audit")
    assert log.status_code == 200
    assert "inspection" in log.text and "查看来电人身份" in log.text and f"转办单 {referral_id}" in log.text


# -- 催办, reports, knowledge capture, routing rules ------------------------------------------------------

def test_overdue_referrals_are_flagged_and_escalated(app, people, referral_to, runner):
    referral_id = referral_to()
    due = _referral(app, referral_id).due_at
    for days in (1, 20, 40):  # far enough apart to pass any holiday
        result = runner.invoke(args=["send-reminders", "--now", (due + dt.timedelta(days=days)).isoformat(sep=" ")])
        assert result.exit_code == 0, result.output
    assert "催办无效报告" in result.output
    inbox = people("income").get("/referrals/inbox").text
    assert "催办 2" in inbox
    director = people("director")
    reports = director.get("/referrals/reports").text
    assert "催办无效报告" in reports and f"转办单 {referral_id}" in reports and "赵某" not in reports
    with _db(app) as session:
        report_id = session.scalar(select(DirectorReport.id))
    post_form(director, f"/referrals/reports/{report_id}/handle", {"handling": "已电话协调所得税处当日答复"},
              "/referrals/reports")
    assert "已电话协调" in director.get("/referrals/reports").text


def test_a_difficult_question_goes_to_the_director(app, people):
    agent = people("agent")
    response = post_form(agent, "/referrals/reports/new", {"content": "纳税人质疑某项政策执行口径，情绪激动"})
    assert response.status_code == 302
    assert "质疑某项政策执行口径" in people("director").get("/referrals/reports").text


def test_a_draft_with_an_overlong_caller_name_is_refused_in_chinese_and_nothing_saved(app, people):
    agent = people("agent")
    draft = agent.get("/referrals/new", query_string={"question": INCOME_QUESTION})
    form = {"question": INCOME_QUESTION, "category": "政策咨询", "tax_type": "", "department": "所得税处",
            "caller_name": "赵" * 101, "caller_contact": "13900000000", "action": "send", "call_id": "",
            "csrf_token": csrf_token(draft.text)}
    refused = agent.post("/referrals/new", data=form)
    assert refused.status_code == 400 and "纳税人姓名不能超过 100 字" in refused.text
    assert INCOME_QUESTION in refused.text  # the typed question is kept
    refused = agent.post("/referrals/new", data={**form, "caller_name": "赵某", "category": "闲聊"})
    assert refused.status_code == 400 and "来电类别：不是有效的选择" in refused.text
    with _db(app) as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 0


def test_an_empty_reply_is_refused_in_chinese_and_the_citations_kept(app, people, referral_to):
    referral_id = referral_to()
    income = people("income")
    url = f"/referrals/{referral_id}"
    page = post_form(income, f"{url}/reply", {"answer": "  ", "citations": "《行政复议法》第九条"},
                     url, follow_redirects=True).text
    assert "请填写答复意见" in page and ">《行政复议法》第九条</textarea>" in page
    assert _referral(app, referral_id).state == SENT


def test_an_empty_difficulty_report_is_refused_in_chinese_and_nothing_saved(app, people):
    agent = people("agent")
    response = post_form(agent, "/referrals/reports/new", {"content": "   "})
    assert response.status_code == 400 and "请写明重大、疑难问题的内容" in response.text
    director = people("director")
    refused = post_form(director, "/referrals/reports/1/handle", {"handling": ""}, "/referrals/reports",
                        follow_redirects=True)
    assert "请填写处理意见" in refused.text
    with _db(app) as session:
        assert session.scalar(select(func.count()).select_from(DirectorReport)) == 0


def test_a_reply_becomes_an_faq_draft(app, people, referral_to, import_tax):
    import_tax("发票管理办法(2023-07-20).md")
    referral_id = referral_to(reply_by="income")
    url = f"/referrals/{referral_id}"
    assert 'id="capture-faq"' not in people("agent").get(url).text  # agents do not write FAQs
    policy = people("policy")
    assert 'id="capture-faq"' in policy.get(url).text
    page = post_form(policy, f"{url}/faq", {}, url, follow_redirects=True)
    assert "已生成FAQ草稿" in page.text and "《不存在的办法》第一条" in page.text
    with _db(app) as session:
        entry = session.scalars(select(FaqEntry)).one()
        assert (entry.question, entry.status) == (INCOME_QUESTION, "draft")
        assert [c.citation_text for c in entry.citations] == ["《中华人民共和国发票管理办法》第二十二条"]


def test_a_report_never_becomes_an_faq(app, people, referral_to):
    referral_id = referral_to(REPORT_QUESTION, "举报", reply_by="inspection")
    url = f"/referrals/{referral_id}"
    director = people("director")
    assert 'id="capture-faq"' not in director.get(url).text
    assert "不能转为FAQ" in post_form(director, f"{url}/faq", {}, url, follow_redirects=True).text
    with _db(app) as session:
        assert session.scalar(select(func.count(FaqEntry.id))) == 0


def test_the_director_edits_routing_rules(app, people):
    director = people("director")
    page = director.get("/routing/rules")
    assert "当前为系统内置规则" in page.text
    name = "行政复议口头申请"
    form = director.get("/routing/rules/edit", query_string={"name": name})
    assert form.status_code == 200 and name in form.text
    token = csrf_token(form.text)
    bad = director.post("/routing/rules", data={"original_name": name, "name": name, "department": "法规处",
                                                 "priority": "很高", "words": "复议", "enabled": "1",
                                                 "csrf_token": token})
    assert bad.status_code == 400 and "优先级必须是整数" in bad.text
    new_rule = {"name": "发票丢失找征管处", "department": "征管处", "priority": "90", "category": "",
                "words": "发票+丢", "enabled": "1", "csrf_token": token}
    assert director.post("/routing/rules", data=new_rule).status_code == 302
    tried = director.get("/routing/rules", query_string={"text": "我的发票弄丢了"}).text
    assert "发票丢失找征管处" in tried
    with _db(app) as session:
        assert session.scalar(select(func.count(RoutingRule.id))) > 1  # the shipped rules were stored first
    suggestion = people("agent").get("/referrals/suggest.json", query_string={"question": "我的发票弄丢了"}).json
    assert suggestion["department"] == "征管处" and "发票丢失找征管处" in suggestion["reason"]


def test_a_bad_routing_rule_is_refused_in_chinese_and_nothing_is_stored(app, people):
    director = people("director")
    token = csrf_token(director.get("/routing/rules/new").text)
    bad = director.post("/routing/rules", data={"name": " ", "department": "征管处", "priority": "很高",
                                                 "category": "闲聊", "words": "发票+丢", "csrf_token": token})
    assert bad.status_code == 400
    assert "规则名称不能为空" in bad.text and "优先级必须是整数" in bad.text and "来电类别：不是有效的选择" in bad.text
    assert "发票+丢</textarea>" in bad.text  # the typed words are kept
    with _db(app) as session:
        assert session.scalar(select(func.count(RoutingRule.id))) == 0


def test_a_reply_citing_a_missing_article_is_refused_and_the_text_kept(app, people, referral_to, import_tax):
    import_tax("行政复议法(2023-09-01).md")
    referral_id = referral_to()
    income = people("income")
    url = f"/referrals/{referral_id}"
    page = post_form(income, f"{url}/reply", {"answer": "可依法申请行政复议。", "citations": "《行政复议法》第九十九条"},
                     url, follow_redirects=True).text
    assert "答复依据有误" in page and "没有“第九十九条”" in page
    assert ">可依法申请行政复议。</textarea>" in page and ">《行政复议法》第九十九条</textarea>" in page
    assert _referral(app, referral_id).state == SENT


def test_what_is_left_of_the_deadline_is_shown_in_working_days(app, people, referral_to):
    referral_id = referral_to()  # sent now: two working days after today (three after a rest day or 18:00)
    inbox = people("income").get("/referrals/inbox").text
    assert re.search(r'<small class="deadline">剩 [23] 个工作日</small>', inbox)
    page = people("agent").get(f"/referrals/{referral_id}").text
    assert re.search(r'<strong id="deadline" class="deadline">剩 [23] 个工作日</strong>', page)


def test_sending_to_a_department_without_users_warns_the_agent_and_the_director(app, people):
    agent = people("agent")
    people.user("income")
    draft = agent.get("/referrals/new", query_string={"question": INCOME_QUESTION}).text
    assert '<option value="所得税处" selected>所得税处</option>' in draft
    assert '<option value="法规处" >法规处（无在岗用户）</option>' in draft
    form = {"question": INCOME_QUESTION, "category": "政策咨询", "department": "法规处", "caller_name": "赵某",
            "caller_contact": "13900000000", "action": "send", "csrf_token": csrf_token(draft)}
    page = agent.post("/referrals/new", data=form, follow_redirects=True).text
    assert "已转法规处" in page and "法规处目前没有在岗的系统用户，无人接收本转办单，已报告中心主任" in page
    reports = people("director").get("/referrals/reports").text
    assert "无人接收报告" in reports and "赵某" not in reports


def test_the_inbox_has_to_do_and_done_tabs_oldest_deadline_first(app, people, referral_to):
    first, second, answered = referral_to(), referral_to(), referral_to(reply_by="income")
    with _db(app) as session:  # the second was sent earlier: its deadline comes first
        session.get(Referral, second).due_at -= dt.timedelta(days=3)
    income = people("income")
    todo = income.get("/referrals/inbox").text
    assert todo.index(f'data-id="{second}"') < todo.index(f'data-id="{first}"')
    assert f'data-id="{answered}"' not in todo and 'id="tab-todo" aria-current="page"' in todo
    done = income.get("/referrals/inbox?tab=done").text
    assert f'data-id="{answered}"' in done and f'data-id="{first}"' not in done


def test_below_the_threshold_the_draft_offers_the_two_likeliest_departments(app, people):
    agent = people("agent")
    vague = "有个情况想跟你们说一下"
    page = agent.get("/referrals/new", query_string={"question": vague}).text
    box = page[page.index('id="suggestion-choice"'):page.index("</ul>", page.index('id="suggestion-choice"'))]
    assert "hidden" not in box.split(">")[0] and "系统把握不足" in box
    assert box.count('class="choose-department"') == 2 and box.count("模型判断") == 2
    select = page[page.index('<select id="department"'):page.index("</select>", page.index('<select id="department"'))]
    assert "selected" not in select  # the agent chooses: nothing is preselected
    suggestion = agent.get("/referrals/suggest.json", query_string={"question": vague}).json
    assert suggestion["needs_choice"] and len(suggestion["choices"]) == 2
    assert all(c["reason"] and c["label"] for c in suggestion["choices"])

    sure = agent.get("/referrals/new", query_string={"question": REPORT_QUESTION}).text
    assert 'id="suggestion-choice" hidden' in sure and 'class="choose-department"' not in sure
    assert agent.get("/referrals/suggest.json", query_string={"question": REPORT_QUESTION}).json["choices"] == []
