"""The director's desk pages: the bulletin (inline SVG, .docx), the weekly summary, the appraisal;
who may see what."""
from __future__ import annotations

import io

import docx
import pytest

from kb.reports.bulletin import SECTIONS, WEEKLY_SECTIONS
from tests.report_pages import logged_in, records  # noqa: F401  (fixture)
from tests.web_helpers import client_as, csrf_token  # noqa: F401  (fixture)


def test_bulletin_page_has_every_section_charts_and_the_breaking_records(app, records):
    client = logged_in(app, "director")
    page = client.get("/reports/bulletin?month=2024-05")
    assert page.status_code == 200
    html = page.text
    assert all(section in html for section in SECTIONS)
    assert html.count("<svg") >= 5 and "每日来电量" in html
    assert f"来电 #{records.calls['c9'].id}" in html and f"转办单 #{records.referrals['r13'].id}" in html
    assert "虚开" not in html  # 举报 content stays confidential
    assert "reports.css" in html and "<style" not in html  # the CSP allows no inline style
    overdue = html.split('id="overdue"', 1)[1].split("</table>", 1)[0]
    assert '<td class="num">2 个工作日</td>' in overdue and "小时" not in overdue  # working days, not hours


def test_bulletin_docx_download(app, records):
    client = logged_in(app, "director")
    response = client.get("/reports/bulletin.docx?month=2024-05")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    headings = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert all(section in headings for section in SECTIONS)
    cells = {c.text for t in docx.Document(io.BytesIO(response.data)).tables for row in t.rows for c in row.cells}
    assert "2 个工作日" in cells  # the overdue table counts working days


def test_bad_month_is_refused(app, records):
    assert logged_in(app, "director").get("/reports/bulletin?month=2024-13").status_code == 400


@pytest.mark.parametrize("role, bulletin, weekly", [
    ("agent", 403, 200), ("director", 200, 200), ("policy", 200, 200), ("admin", 200, 200), ("department", 403, 403),
])
def test_who_sees_the_reports(client_as, role, bulletin, weekly):
    client = client_as(role)
    assert client.get("/reports/bulletin?month=2024-05").status_code == bulletin
    assert client.get("/reports/weekly?week=2024-05-06").status_code == weekly


def test_weekly_summary_for_agents(app, records):
    html = logged_in(app, "agent-a").get("/reports/weekly?week=2024-05-06").text
    assert all(section in html for section in WEEKLY_SECTIONS) and SECTIONS[5] not in html
    assert "个税起征点是多少？" in html


def test_agent_self_scores_director_scores_and_publishes(app, records):
    agent = logged_in(app, "agent-a")
    response = agent.get("/reports/appraisal?month=2024-05")
    own = f"/reports/appraisal/{records.agent_a.id}?month=2024-05"
    assert response.status_code == 302 and response.location.endswith(own)
    assert agent.get(f"/reports/appraisal/{records.agent_b.id}?month=2024-05").status_code == 403
    page = agent.get(own)
    assert "待评定" in page.text and "台帐登记" in page.text
    fields = {f"self_{code}": "15" for code in ("quality", "ledger", "referrals", "attendance", "discipline")}
    fields.update(self_attitude="25", self_information="0", note="本月无差错")
    assert agent.post(own, data={**fields, "csrf_token": csrf_token(page.text)}).status_code == 302

    director = logged_in(app, "director")
    sheet = director.get(own)
    assert "100" in sheet.text
    response = director.post(own, data={"input_praise_letters": "1", "centre_quality": "10",
                                         "csrf_token": csrf_token(sheet.text)})
    assert response.status_code == 302
    listing = director.get("/reports/appraisal?month=2024-05")
    assert "<strong>102</strong>" in listing.text  # A: 102 − 5 (quality) + 5 (praise); the 催办 is send-reminders'
    assert "+0" in listing.text                     # A's 绩效工资: no entries, 100 points
    bad = director.post(own, data={"centre_quality": "abc", "csrf_token": csrf_token(sheet.text)})
    assert bad.status_code == 400 and "不是数字" in bad.text
    response = director.post("/reports/appraisal/publish?month=2024-05", data={"csrf_token": csrf_token(listing.text)})
    assert response.status_code == 302

    page = agent.get(own)
    assert "已于" in page.text and "中心评分 <strong>102</strong>" in page.text and "name=\"self_quality\"" not in page.text
