"""《12366信息专报》: figures checked against a known month of records (tests/report_records.py),
including a record that breaks each 100% promise; the .docx opens and holds every section."""
from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from kb.reports.bulletin import SECTIONS, build_bulletin, build_weekly
from kb.core.periods import parse_month, week_period
from kb.reports.promises import ACCEPTED, ANSWERED_OR_FEEDBACK, FEEDBACK_LATE, FOLLOWED_UP, RECORDED, STAFF_NO
from kb.hotline.redaction import SECRET
from tests.report_records import MONTH, NOW, build_month, at
from kb.core.timestamps import BEIJING


@pytest.fixture
def month(session):
    records = build_month(session)
    return records, build_bulletin(session, MONTH, NOW)


def test_calls_by_day_category_tax_type_and_disposition(month):
    _records, b = month
    assert b.total_calls == 12 and b.previous_calls == 2
    assert len(b.by_day) == 31 and sum(n for _d, n in b.by_day) == 12
    assert dict(b.by_day)[dt.date(2024, 5, 7)] == 3 and dict(b.by_day)[dt.date(2024, 5, 1)] == 0
    assert b.by_category == [("政策咨询", 11), ("举报", 1)]
    assert b.by_tax_type == [("个人所得税", 8), ("增值税", 1), ("未分税种", 3)]
    assert b.by_disposition == [("当场答复", 5), ("转接", 2), ("转办", 5)]


def test_top_questions_are_grouped_and_matched_to_the_faq(month):
    records, b = month
    first = b.top_questions[0]
    assert (first.wording, first.count, first.faq_id) == ("个税起征点是多少？", 3, records.faq.id)
    assert first.variants == ["个税的起征点是多少呢"]  # 请问… is the same wording
    assert sum(q.count for q in b.top_questions) == 11  # the 举报 call is not quoted
    assert all("举报" not in q.wording for q in b.top_questions)
    assert all(q.faq_id is None for q in b.top_questions[1:])
    assert b.faq_coverage == pytest.approx(3 / 11)


def test_rising_topics_against_the_previous_month(month):
    _records, b = month
    assert [(t.kind, t.label, t.count, t.previous) for t in b.rising] == [
        ("税种", "个人所得税", 8, 0), ("问题", "个税起征点是多少？", 3, 0)]  # 发票丢了: 1 now, 2 in April


def test_searches_that_found_nothing(month):
    _records, b = month
    assert (b.searches, b.zero_searches) == (3, 2)  # April's search is not counted
    assert [(z.count, z.wording.replace(" ", "")) for z in b.zero_groups] == [(2, "残保金申报")]


def test_referrals_by_department_on_time_rate_and_overdue_list(month):
    records, b = month
    [d] = b.departments
    assert (d.department, d.sent, d.answered, d.on_time, d.late, d.pending) == ("所得税处", 5, 5, 3, 2, 0)
    assert d.on_time_rate == pytest.approx(0.6)
    hours = [28 + 50 / 60, 22 + 55 / 60, 95 + 55 / 60, 24, 76 + 55 / 60]
    assert d.average_hours == pytest.approx(sum(hours) / 5)
    assert [(o.id, o.hours_late, o.reminders) for o in b.overdue] == [
        (records.referrals["r10"].id, 40.0, 0), (records.referrals["r11"].id, 21.0, 1)]
    # told in working days: due Wednesday 22 May 18:00, answered Friday 24 May; due 29 May, answered 30 May
    assert [o.late_label for o in b.overdue] == ["2 个工作日", "1 个工作日"]


def test_each_promise_names_the_records_that_break_it(month):
    records, b = month
    calls, referrals = records.calls, records.referrals
    promises = {p.code: p for p in b.promises}
    broken = {code: [(x.kind, x.record_id) for x in p.breaches] for code, p in promises.items()}
    assert broken == {
        ACCEPTED: [("来电", calls["c9"].id)],
        STAFF_NO: [("来电", calls["c5"].id)],
        RECORDED: [("来电", calls["c6"].id), ("转办单", referrals["r13"].id)],
        ANSWERED_OR_FEEDBACK: [("来电", calls["c8"].id), ("来电", calls["c9"].id)],
        FOLLOWED_UP: [("转办单", referrals["r10"].id)],
    }
    assert promises[ANSWERED_OR_FEEDBACK].breaches[0].reason == FEEDBACK_LATE
    assert (promises[STAFF_NO].checked, promises[RECORDED].checked, promises[FOLLOWED_UP].checked) == (12, 17, 5)
    assert promises[STAFF_NO].rate == pytest.approx(11 / 12)


def test_pending_records_are_not_counted_before_their_time_limit(session):
    records = build_month(session)
    early = build_bulletin(session, MONTH, at(14, 11))  # c9 was taken at 10:00 the same day
    answered = {p.code: p for p in early.promises}[ANSWERED_OR_FEEDBACK]
    assert records.calls["c9"].id not in [x.record_id for x in answered.breaches]
    assert answered.pending >= 1


def test_confidential_content_never_appears(session):
    records = build_month(session)
    from kb.hotline.redaction import summary_of

    assert summary_of("举报", records.calls["c12"].question) == SECRET


def test_docx_opens_and_holds_every_section(month):
    from webapp.bulletin_docx import bulletin_docx

    _records, b = month
    document = docx.Document(io.BytesIO(bulletin_docx(b)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for section in SECTIONS:
        assert section in headings
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "个税起征点是多少？" in text and "FAQ #" in text and "所得税处" in text and "超过答复期限未催办" in text
    assert "虚开" not in text


def test_docx_is_a4_in_government_fonts_with_page_numbers(month):
    from docx.oxml.ns import qn

    from webapp.bulletin_docx import bulletin_docx

    _records, b = month
    document = docx.Document(io.BytesIO(bulletin_docx(b)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)

    def east_asian(style):
        return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    assert east_asian(document.styles["Normal"]) == "仿宋" and east_asian(document.styles["Heading 1"]) == "黑体"
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "fldChar" in footer  # a page number field
    assert len(document.inline_shapes) == 1  # 每日来电 as a chart, not a table of 31 rows
    assert not any(t.rows[0].cells[0].text == "日期" for t in document.tables)
    assert any(p.text.startswith("图：5月1日至5月31日每日来电") for p in document.paragraphs)


def test_rising_topics_need_a_previous_month_to_compare_with(session):
    build_month(session)  # April has a few calls, March none
    april = build_bulletin(session, parse_month("2024-04"), NOW)
    assert april.total_calls > 0 and april.previous_calls == 0
    assert april.rising == [] and april.rising_note == "上期（2024年3月）没有来电记录，无法比较上升的话题。"


def test_weekly_summary_covers_one_week(session):
    build_month(session)
    summary = build_weekly(session, week_period(dt.date(2024, 5, 7)), NOW)
    assert summary.total_calls == 7 and len(summary.by_day) == 7  # 6–8 May
    assert summary.promises == [] and summary.departments == []


def test_cli_writes_docx_and_html(app, runner, tmp_path):
    with app.extensions["kb_storage"].session_factory() as session:
        build_month(session)
        session.commit()
    target = tmp_path / "b.docx"
    result = runner.invoke(args=["bulletin", "--month", "2024-05", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "来电 12 个" in result.output
    assert SECTIONS[5] in [p.text for p in docx.Document(str(target)).paragraphs]
    page = tmp_path / "b.html"
    result = runner.invoke(args=["bulletin", "--month", "2024-05", "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert all(section in html for section in SECTIONS) and "<svg" in html and "@media print" in html
    assert runner.invoke(args=["bulletin", "--month", "2024-13", "-o", str(page)]).exit_code != 0


def test_month_parsing():
    assert parse_month("2024-5").key == "2024-05" and parse_month("2024-12").end == dt.datetime(2025, 1, 1, tzinfo=BEIJING)


def test_a_call_at_half_past_seven_on_the_first_counts_in_its_beijing_month(session):
    """07:30 on 1 June in Beijing is 23:30 on 31 May in UTC: the call is June's, on 1 June."""
    from kb.core.actors import SYSTEM
    from kb.core.timestamps import UTC
    from kb.hotline.calls import NewCall, record_call
    from kb.accounts.users import NewUser, create_user

    agent, _ = create_user(session, SYSTEM, NewUser(username="agent-a", role="agent", password="password-123",
                                                    staff_no="1001"))
    record_call(session, agent, NewCall(question="个税起征点是多少", answer="每年六万元",
                                        at=dt.datetime(2024, 5, 31, 23, 30, tzinfo=UTC)))
    session.flush()
    session.expire_all()  # read back what was stored
    june = build_bulletin(session, parse_month("2024-06"), dt.datetime(2024, 7, 3, 9, tzinfo=BEIJING))
    may = build_bulletin(session, parse_month("2024-05"), dt.datetime(2024, 6, 3, 9, tzinfo=BEIJING))
    assert (june.total_calls, may.total_calls) == (1, 0)
    assert dict(june.by_day)[dt.date(2024, 6, 1)] == 1
