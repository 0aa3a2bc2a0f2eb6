"""The appraisal pages: the 绩效工资 sheet and its entries, the amounts of both schemes, the written
report, the hand-in of the statistics; who may do what."""
from __future__ import annotations

import io

import docx

from kb.core.actors import SYSTEM
from tests.report_pages import logged_in, records  # noqa: F401  (fixture)
from tests.report_records import PASSWORD
from tests.web_helpers import csrf_token


def test_director_enters_leave_and_the_pay_page_counts_it_as_the_rules_write(app, records):
    director = logged_in(app, "director")
    url = f"/reports/pay/{records.agent_a.id}?month=2024-05"
    page = director.get(url)
    assert page.status_code == 200 and "得分 <strong>100</strong>" in page.text
    token = csrf_token(page.text)
    bad = director.post(url, data={"day": "2024-05-20", "event": "personal_leave", "amount": "两天", "note": "家事",
                                   "csrf_token": token})
    assert bad.status_code == 400 and "不是数字" in bad.text and 'value="家事"' in bad.text
    assert director.post(url, data={"day": "2024-05-20", "event": "personal_leave", "amount": "2", "slip": "none",
                                    "csrf_token": token}).status_code == 302
    page = director.get(url)
    assert "按旷工论处" in page.text and "得分 <strong>60</strong>" in page.text and "辞退" in page.text
    listing = director.get("/reports/appraisal?month=2024-05")
    assert "−200" in listing.text or "-200" in listing.text


def test_agents_see_their_own_pay_and_cannot_enter(app, records):
    agent = logged_in(app, "agent-a")
    own = f"/reports/pay/{records.agent_a.id}?month=2024-05"
    page = agent.get(own)
    assert page.status_code == 200 and 'id="event-form"' not in page.text and 'id="pay-total"' not in page.text
    assert agent.get(f"/reports/pay/{records.agent_b.id}?month=2024-05").status_code == 403
    response = agent.post(own, data={"day": "2024-05-20", "event": "praise_letter", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 403
    assert logged_in(app, "dept").get(own).status_code == 403


def test_the_rules_page_shows_both_schemes_and_the_director_adds_a_version(app, records):
    agent = logged_in(app, "agent-a")
    page = agent.get("/reports/appraisal-rules")
    assert page.status_code == 200 and "绩效工资考核制度" in page.text and "目标责任制考核表" in page.text
    assert 'id="rules-form-pay"' not in page.text
    assert agent.post("/reports/appraisal-rules", data={"scheme": "pay", "csrf_token": csrf_token(page.text)}
                      ).status_code == 403
    director = logged_in(app, "director")
    page = director.get("/reports/appraisal-rules")
    token = csrf_token(page.text)
    bad = director.post("/reports/appraisal-rules", data={"scheme": "pay", "effective_month": "2024-07",
                                                          "pay_complaint": "8", "csrf_token": token})
    assert bad.status_code == 400 and "扣分" in bad.text and 'value="8"' in bad.text
    assert director.post("/reports/appraisal-rules", data={"scheme": "pay", "effective_month": "2024-07",
                                                           "pay_complaint": "-6", "note": "新规", "csrf_token": token}
                         ).status_code == 302
    page = director.get("/reports/appraisal-rules")
    assert "2024-07起" in page.text and "新规" in page.text


def test_hand_in_and_written_report_forms(app, records):
    agent = logged_in(app, "agent-b")
    own = f"/reports/appraisal/{records.agent_b.id}?month=2024-05"
    page = agent.get(own)
    assert "自评截止 2024-06-06" in page.text and "月汇总尚未登记上交" in page.text
    assert 'id="written-report"' not in page.text
    # the report form appears only when asked for (two 较差 in a row: covered in tests/test_appraisal.py)
    response = agent.post(f"/reports/appraisal/{records.agent_b.id}/summary?month=2024-05",
                          data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "月汇总于" in agent.get(own).text
    pay_url = f"/reports/pay/{records.agent_b.id}?month=2024-05"
    assert "尚未公布" in agent.get(pay_url).text                        # the agent sees the pay once published
    pay = logged_in(app, "director").get(pay_url)                         # handed in today: years late
    assert "月统计未按时上交" in pay.text and "截止 2024-06-05" in pay.text


def test_a_half_written_report_or_a_bad_hand_in_day_is_refused_in_chinese_and_nothing_is_saved(app, records):
    agent = logged_in(app, "agent-b")
    own = f"/reports/appraisal/{records.agent_b.id}?month=2024-05"
    token = csrf_token(agent.get(own).text)
    report = agent.post(f"/reports/appraisal/{records.agent_b.id}/report?month=2024-05",
                        data={"causes": "业务不熟", "remedies": " ", "csrf_token": token})
    assert report.status_code == 400 and "书面报告须写明原因分析和改进措施" in report.text
    assert 'id="written-report"' not in agent.get(own).text            # nothing stored
    director = logged_in(app, "director")
    token = csrf_token(director.get(own).text)
    summary = director.post(f"/reports/appraisal/{records.agent_b.id}/summary?month=2024-05",
                            data={"handed_on": "2024-06-31", "csrf_token": token})
    assert summary.status_code == 400 and "日期“2024-06-31”格式不正确，应为 YYYY-MM-DD" in summary.text
    assert "月汇总尚未登记上交" in director.get(own).text


def test_half_year_summary_page_and_docx(app, records):
    director = logged_in(app, "director")
    page = director.get("/reports/appraisal-summary?year=2024&half=1")
    assert page.status_code == 200 and "2024年上半年小结" in page.text and "张丽" in page.text and "王强" in page.text
    assert "2024年5月" in page.text
    document = director.get("/reports/appraisal-summary.docx?year=2024&half=1")
    assert document.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(document.data)).paragraphs)
    assert "上半年小结" in text and "王强（工号 1002）" in text
    assert director.get("/reports/appraisal-summary?year=2024&half=3").status_code == 400
    agent = logged_in(app, "agent-a")
    own = agent.get(f"/reports/appraisal-summary?year=2024&half=1&agent_id={records.agent_b.id}")
    assert own.status_code == 200 and "张丽" in own.text and "王强" not in own.text


def test_the_collection_office_reads_bulletin_weekly_and_appraisal_but_changes_nothing(app, records):
    from kb.accounts.users import NewUser, create_user

    with app.extensions["kb_storage"].session_factory() as session:
        create_user(session, SYSTEM, NewUser(username="zgc", role="department", department="征管处", password=PASSWORD))
        create_user(session, SYSTEM, NewUser(username="jcj", role="department", department="稽查局", password=PASSWORD))
        session.commit()
    office = logged_in(app, "zgc")
    bulletin = office.get("/reports/bulletin?month=2024-05")
    assert bulletin.status_code == 200 and "李女士" not in bulletin.text and "13900000000" not in bulletin.text
    assert office.get("/reports/weekly?week=2024-05-06").status_code == 200
    listing = office.get("/reports/appraisal?month=2024-05")
    assert listing.status_code == 200 and "王强" in listing.text and 'id="publish"' not in listing.text
    sheet_url = f"/reports/appraisal/{records.agent_b.id}?month=2024-05"
    sheet = office.get(sheet_url)
    assert sheet.status_code == 200 and 'name="self_quality"' not in sheet.text and 'name="centre_quality"' not in sheet.text
    assert office.post(sheet_url, data={"self_quality": "15", "csrf_token": csrf_token(sheet.text)}).status_code == 403
    assert office.get(f"/reports/pay/{records.agent_b.id}?month=2024-05").status_code == 200
    assert office.get("/reports/appraisal-summary?year=2024&half=1").status_code == 200
    other = logged_in(app, "jcj")
    for url in ("/reports/bulletin?month=2024-05", "/reports/appraisal?month=2024-05", sheet_url):
        assert other.get(url).status_code == 403, url
