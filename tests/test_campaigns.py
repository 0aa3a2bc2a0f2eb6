"""税收政策专题答疑: the director's campaign, what agents see while it runs, its collection first for a
matching question, the calls counted under it and its summary in the month's 信息专报 (real documents,
real index, real calls)."""
from __future__ import annotations

import datetime as dt
import io
import json

import docx
import pytest
from sqlalchemy import select

from kb.core.actors import SYSTEM
from kb.reports.bulletin import CAMPAIGNS_SECTION, SECTIONS, build_bulletin
from kb.reports.bulletin_issues import SECTION_COUNT
from kb.hotline.calls import NewCall, record_call
from kb.channels.models import Campaign
from kb.channels.campaigns import (
    CampaignData, CampaignError, campaign_calls, collection_first, matches, running_campaigns, save_campaign,
    summaries_for_month, summarise,
)
from kb.core.db import transaction
from kb.faq.operations import FaqData, create_entry, publish_entry, submit_entry
from kb.library.operations import find_document_by_name
from kb.core.periods import month_period
from kb.core.permissions import Forbidden
from kb.accounts.users import NewUser, create_user
from kb.core.timestamps import beijing_now
from tests.web_helpers import add_user, client_as, post_form  # noqa: F401  (client_as: a fixture)
from kb.core.timestamps import BEIJING

VEHICLE = "车船税法(2019-04-23).md"
COLLECTION = "税收征收管理法(2015-04-24).md"
VEHICLE_TITLE = "中华人民共和国车船税法"


@pytest.fixture
def people(session_factory):
    with transaction(session_factory) as session:
        director, _ = create_user(session, SYSTEM, NewUser(username="director", role="director", password="correct-horse-1"))
        agent, _ = create_user(session, SYSTEM, NewUser(username="agent", role="agent", password="correct-horse-1",
                                                      staff_no="1001"))
        collection, _ = create_user(session, SYSTEM, NewUser(username="zg", role="department", department="征管处",
                                                           password="correct-horse-1"))
        return {"director": director.id, "agent": agent.id, "collection": collection.id}


def _user(session, people, name):
    from kb.accounts.models import User

    return session.get(User, people[name])


def _published(session, director, question, citation, answer="按规定办理。"):
    entry = create_entry(session, director, FaqData(question=question, answer=answer, citations=[citation]))
    submit_entry(session, director, entry)
    publish_entry(session, director, entry)
    return entry


def _campaign(session, actor, **overrides) -> Campaign:
    data = dict(title="车船税专题答疑", starts_on="2024-05-06", ends_on="2024-05-10", hours="09:00-11:30",
                keywords=["车船税"], departments=["财产和行为税处"], experts=["财产和行为税处 值班专家"])
    data.update(overrides)
    return save_campaign(session, actor, CampaignData(**data))


def test_bad_input_names_every_problem_in_chinese_and_stores_nothing(session, people, import_tax):
    director = _user(session, people, "director")
    with pytest.raises(CampaignError) as problem:
        _campaign(session, director, title=" ", starts_on="2024-05-10", ends_on="2024-05-06", hours="17:00-09:00",
                  departments=["不存在的处"], faq_ids=["12", "x"], document_ids=["999"])
    message = str(problem.value)
    for part in ("请填写活动主题", "结束日期不能早于开始日期", "答疑时间", "“不存在的处”不是部门列表中的部门",
                 "问答 12 不存在或未发布", "问答编号“x”应为数字", "文档 999 不存在"):
        assert part in message
    assert session.query(Campaign).count() == 0


def test_only_the_director_and_the_collection_department_organise(session, people):
    with pytest.raises(Forbidden):
        _campaign(session, _user(session, people, "agent"))
    assert _campaign(session, _user(session, people, "collection")).id
    assert _campaign(session, _user(session, people, "director")).id


def test_it_runs_on_its_dates_within_its_hours(session, people):
    campaign = _campaign(session, _user(session, people, "director"))
    assert running_campaigns(session, dt.datetime(2024, 5, 6, 9, 0, tzinfo=BEIJING)) == [campaign]
    assert running_campaigns(session, dt.datetime(2024, 5, 10, 11, 29, tzinfo=BEIJING)) == [campaign]
    for moment in (dt.datetime(2024, 5, 6, 8, 59, tzinfo=BEIJING), dt.datetime(2024, 5, 8, 11, 30, tzinfo=BEIJING), dt.datetime(2024, 5, 11, 10, 0, tzinfo=BEIJING),
                   dt.datetime(2024, 5, 5, 10, 0, tzinfo=BEIJING)):
        assert running_campaigns(session, moment) == []


def test_a_question_matches_by_its_words_else_its_title(session, people):
    director = _user(session, people, "director")
    campaign = _campaign(session, director, keywords=["车船税", "新能源车"])
    assert matches(campaign, "我买了新能源 车，要交车船 税吗")
    assert not matches(campaign, "发票丢了怎么办")
    untitled = _campaign(session, director, title="个税汇算", keywords=[])
    assert matches(untitled, "个税汇算什么时候开始") and not matches(untitled, "车船税")


def test_collection_first_keeps_the_search_order_within_each_part(session, people):
    campaign = _campaign(session, _user(session, people, "director"))
    campaign.document_ids, campaign.faq_ids = [7], [3]
    results = [{"type": "article", "document_id": 1, "key": "a"}, {"type": "article", "document_id": 7, "key": "b"},
               {"type": "faq", "faq_id": 3, "key": "c"}, {"type": "article", "document_id": 2, "key": "d"},
               {"type": "article", "document_id": 7, "key": "e"}]
    assert [r["key"] for r in collection_first(results, campaign)] == ["b", "c", "e", "a", "d"]
    assert collection_first(results, None) == results


def test_calls_under_it_are_counted_and_summarised(session, people, import_tax):
    import_tax(VEHICLE, COLLECTION)
    director, agent = _user(session, people, "director"), _user(session, people, "agent")
    entry = _published(session, director, "新能源汽车免征车船税吗？", f"《{VEHICLE_TITLE}》第四条")
    vehicle = find_document_by_name(session, "车船税法")
    campaign = _campaign(session, director, faq_ids=[entry.id], document_ids=[vehicle.id])

    def call(question, at, citations=(), category="政策咨询"):
        record_call(session, agent, NewCall(question=question, answer="已答复", citations=list(citations),
                                            category=category, at=at))

    call("车船税怎么交", dt.datetime(2024, 5, 6, 9, 30, tzinfo=BEIJING))
    call("车船税怎么交", dt.datetime(2024, 5, 7, 10, 0, tzinfo=BEIJING))
    call("挂车要交吗", dt.datetime(2024, 5, 8, 10, 0, tzinfo=BEIJING), [f"《{VEHICLE_TITLE}》第二条"])  # cites its policy
    call("车船税 举报某车行少缴", dt.datetime(2024, 5, 8, 10, 5, tzinfo=BEIJING), category="举报")  # counted, never quoted
    call("车船税怎么交", dt.datetime(2024, 5, 8, 14, 0, tzinfo=BEIJING))   # after its hours
    call("车船税怎么交", dt.datetime(2024, 5, 12, 10, 0, tzinfo=BEIJING))  # after its dates
    call("发票丢了怎么办", dt.datetime(2024, 5, 8, 10, 0, tzinfo=BEIJING))  # another topic
    assert len(campaign_calls(session, campaign)) == 4
    summary = summarise(session, campaign)
    assert summary.calls == 4
    assert summary.top_questions[0] == ("车船税怎么交", 2)
    assert all("举报" not in wording for wording, _n in summary.top_questions)
    assert summary.new_faq == [(entry.id, "新能源汽车免征车船税吗？")]


def test_the_months_bulletin_carries_the_campaigns_that_ended_in_it(session, people, import_tax):
    director, agent = _user(session, people, "director"), _user(session, people, "agent")
    _campaign(session, director)
    _campaign(session, director, title="六月的活动", starts_on="2024-05-27", ends_on="2024-06-03")
    record_call(session, agent, NewCall(question="车船税怎么交", answer="已答复", at=dt.datetime(2024, 5, 6, 10, tzinfo=BEIJING)))
    assert [s.campaign.title for s in summaries_for_month(session, dt.date(2024, 5, 1), dt.date(2024, 6, 1))] == [
        "车船税专题答疑"]
    bulletin = build_bulletin(session, month_period(2024, 5), dt.datetime(2024, 6, 3, 9, tzinfo=BEIJING))
    assert [(c.campaign.title, c.calls) for c in bulletin.campaigns] == [("车船税专题答疑", 1)]
    from webapp.bulletin_docx import bulletin_docx

    paragraphs = [p.text for p in docx.Document(io.BytesIO(bulletin_docx(bulletin))).paragraphs]
    assert CAMPAIGNS_SECTION in paragraphs and any("车船税专题答疑" in p for p in paragraphs)
    assert any("活动期间来电 1 个" in p for p in paragraphs)
    assert bulletin.campaigns and len(SECTIONS) == SECTION_COUNT  # the director may comment on every section
    june = build_bulletin(session, month_period(2024, 6), dt.datetime(2024, 7, 3, 9, tzinfo=BEIJING))
    assert [c.campaign.title for c in june.campaigns] == ["六月的活动"]


def test_cli_lists_one_json_object_a_line_and_refuses_bad_input(app, runner):
    add_user(app, "director", "director")
    added = runner.invoke(args=["campaign", "add", "--title", "个税汇算专题答疑", "--starts", "2025-03-01",
                                "--ends", "2025-03-31", "--department", "所得税处", "--expert", "所得税处 值班专家",
                                "--keyword", "汇算", "--user", "director"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["campaign", "list", "--json"])
    lines = [json.loads(line) for line in listed.output.splitlines()]
    assert len(lines) == 1
    assert {k: lines[0][k] for k in ("title", "starts", "ends", "departments", "faq_ids")} == {
        "title": "个税汇算专题答疑", "starts": "2025-03-01", "ends": "2025-03-31", "departments": ["所得税处"],
        "faq_ids": []}
    bad = runner.invoke(args=["campaign", "add", "--title", "x", "--starts", "2025-13-01", "--ends", "2025-03-31",
                              "--department", "所得税处", "--user", "director"])
    assert bad.exit_code != 0 and "开始日期“2025-13-01”格式不正确" in bad.output


@pytest.fixture
def indexed(app, import_tax):
    from webapp.search_index import index_documents

    report = import_tax(VEHICLE, COLLECTION, "个人所得税法(2018-08-31).md")
    index_documents(app, report.changed_document_ids)
    return {f.name: f.document_id for f in report.files}


def test_while_it_runs_agents_see_it_and_its_collection_comes_first(app, indexed, client_as):
    agent = client_as("agent")
    query = "车船税 纳税人 申报缴纳 税款"
    before = agent.get("/search.json", query_string={"q": query}).get_json()["results"]
    documents = [r["document_id"] for r in before]
    assert documents and documents[0] != indexed[COLLECTION] and indexed[COLLECTION] in documents
    director = client_as("director")
    today = beijing_now().date()
    page = post_form(director, "/campaigns/new", {
        "title": "税款缴纳专题答疑", "starts_on": (today - dt.timedelta(days=1)).isoformat(),
        "ends_on": (today + dt.timedelta(days=1)).isoformat(), "hours": "00:00-24:00", "keywords": "缴纳\n申报",
        "departments": ["征管处"], "experts": "征管处 值班专家", "document_ids": str(indexed[COLLECTION])})
    assert page.status_code == 302, page.text
    after = agent.get("/search.json", query_string={"q": query}).get_json()["results"]
    assert after[0]["document_id"] == indexed[COLLECTION]
    assert sorted(r["key"] if "key" in r else r["citation"] for r in after) == sorted(
        r["key"] if "key" in r else r["citation"] for r in before)  # re-ordered, nothing added or dropped
    html = agent.get("/search", query_string={"q": query}).text
    assert "专题答疑进行中：税款缴纳专题答疑" in html and "征管处 值班专家" in html
    other = agent.get("/search.json", query_string={"q": "个人所得税 税率"}).get_json()["results"]
    assert other and other[0]["document_id"] != indexed[COLLECTION]  # an unrelated question keeps its order


def test_the_form_refuses_bad_input_and_agents_cannot_organise(app, client_as):
    director = client_as("director")
    page = post_form(director, "/campaigns/new", {"title": "专题", "starts_on": "2025-03-09", "ends_on": "2025-03-01",
                                                  "hours": "9点到5点", "departments": ["征管处"]})
    assert page.status_code == 400
    assert "结束日期不能早于开始日期" in page.text and "答疑时间“9点到5点”格式不正确" in page.text
    assert 'value="专题"' in page.text  # nothing typed is lost
    agent = client_as("agent")
    assert agent.get("/campaigns/new").status_code == 403
    assert agent.get("/campaigns").status_code == 200


def test_the_form_refuses_an_overlong_or_blank_title_and_saves_nothing(app, client_as):
    director = client_as("director")
    long = post_form(director, "/campaigns/new", {"title": "专" * 201, "starts_on": "2025-03-01",
                                                  "ends_on": "2025-03-09", "departments": ["征管处"]})
    assert long.status_code == 400 and "活动主题不能超过 200 字" in long.text
    assert 'name="departments" value="征管处" checked' in long.text  # nothing typed is lost
    blank = post_form(director, "/campaigns/new", {"title": " ", "starts_on": "2025-03-01", "ends_on": "2025-03-09"})
    assert blank.status_code == 400 and "请填写活动主题" in blank.text
    with app.extensions["kb_storage"].session_factory() as session:
        assert session.scalars(select(Campaign)).first() is None
