"""FAQ entries: lifecycle, versions, the citation rule, the 需复核 cascade, usage and rendering."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.core.actors import SYSTEM
from kb.faq.operations import (
    FaqData, FaqError, ReviewData, change_status, create_entry, publish_entry, record_usage, render_answer, retire_entry, submit_entry, update_entry,
)
from kb.faq.review import flag_entries_citing, review_entry, review_queue
from kb.faq.models import DRAFT, IN_REVIEW, NEEDS_REVIEW_WARNING, PUBLISHED, RETIRED
from kb.accounts.users import NewUser, create_user
from kb.library.importing import import_paths
from tests.conftest import TAX

LATE_FILING = "《中华人民共和国税收征收管理法》第六十二条"
LATE_FEE = "《中华人民共和国税收征收管理法》第三十二条"


@pytest.fixture
def make_user(session):
    def build(username: str, role: str):
        user, _password = create_user(session, SYSTEM, NewUser(
            username=username, role=role, password="password-1", staff_no="1001" if role == "agent" else None,
            department="征管科" if role == "department" else None))
        return user

    return build


@pytest.fixture
def import_in_force(session_factory):
    """Import files without catalog metadata: each is in force until a later revision arrives."""

    def build(*names: str):
        report = import_paths(session_factory, [TAX / name for name in names], {})
        assert report.ok
        return report

    return build


@pytest.fixture
def make_faq_entry(session):
    def build(actor=SYSTEM, **fields):
        data = FaqData(question=fields.pop("question", "逾期申报会被罚款吗？"),
                       answer=fields.pop("answer", "可以处二千元以下的罚款。"),
                       citations=fields.pop("citations", [LATE_FILING]), **fields)
        return create_entry(session, actor, data)

    return build


def test_a_new_entry_is_a_draft_with_its_first_version(import_tax, session, make_faq_entry, make_user):
    import_tax("税收征收管理法(2015-04-24).md")
    author = make_user("fagui", "policy")
    entry = make_faq_entry(author, phrasings=["晚报税罚多少", "晚报税罚多少", ""], tax_types=["征收管理"])
    assert entry.status == DRAFT
    assert entry.phrasings == ["晚报税罚多少"]
    assert [c.citation_text for c in entry.citations] == [LATE_FILING]
    assert entry.citations[0].reference == "税收征收管理法(2015-04-24).md#第六十二条"
    first = entry.versions[0]
    assert (first.number, first.action, first.actor_id, first.actor_name) == (1, "created", author.id, "fagui")
    assert "+问题：逾期申报会被罚款吗？" in first.diff


def test_lifecycle_from_draft_to_retired_records_who_changed_what(import_tax, session, make_faq_entry, make_user):
    import_tax("税收征收管理法(2015-04-24).md")
    author, director = make_user("fagui", "policy"), make_user("zhuren", "director")
    entry = make_faq_entry(author)
    submit_entry(session, author, entry)
    assert entry.status == IN_REVIEW
    publish_entry(session, director, entry)
    assert entry.status == PUBLISHED and entry.published_at is not None
    update_entry(session, author, entry, FaqData(answer="可以处二千元以下的罚款；情节严重的，可以处二千元以上一万元以下的罚款。",
                                                 citations=[LATE_FILING, LATE_FEE]))
    assert entry.status == IN_REVIEW  # the policy office's edit of a published answer goes back to review
    publish_entry(session, director, entry)
    retire_entry(session, director, entry, note="合并到新条目")
    assert entry.status == RETIRED
    assert [(v.number, v.action, v.actor_name) for v in entry.versions] == [
        (1, "created", "fagui"), (2, "submitted", "fagui"), (3, "published", "zhuren"),
        (4, "edited", "fagui"), (5, "published", "zhuren"), (6, "retired", "zhuren")]
    edit = entry.versions[3]
    assert set(edit.changed_fields) == {"answer", "citations", "status"}
    assert f"+法律依据：{LATE_FEE}" in edit.diff and "-答案：可以处二千元以下的罚款。" in edit.diff
    assert "+状态：待审核" in edit.diff and "待中心主任或管理员审核" in edit.note
    assert "-状态：已发布" in entry.versions[5].diff and entry.versions[5].note == "合并到新条目"


@pytest.mark.parametrize("role, stays_published", [("policy", False), ("director", True), ("admin", True)])
def test_an_edit_of_a_published_answer_is_reviewed_unless_a_publisher_made_it(
        import_tax, session, make_faq_entry, make_user, role, stays_published):
    import_tax("税收征收管理法(2015-04-24).md")
    director, editor = make_user("zhuren", "director"), make_user(f"user-{role}", role)
    entry = make_faq_entry(director)
    submit_entry(session, director, entry)
    publish_entry(session, director, entry)
    update_entry(session, editor, entry, FaqData(review_by=dt.date(2030, 1, 1)))  # not the content: no review
    assert entry.status == PUBLISHED
    update_entry(session, editor, entry, FaqData(answer="逾期申报一律免罚。"))
    assert (entry.status == PUBLISHED) == stays_published


def test_an_edit_that_changes_nothing_adds_no_version(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md")
    entry = make_faq_entry()
    update_entry(session, SYSTEM, entry, FaqData(question="逾期申报会被罚款吗？", citations=[LATE_FILING]))
    assert entry.version == 1 and len(entry.versions) == 1


def test_status_changes_follow_the_lifecycle(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md")
    entry = make_faq_entry()
    with pytest.raises(FaqError, match="不能从“草稿”改为“已发布”"):
        change_status(session, SYSTEM, entry, PUBLISHED)
    retire_entry(session, SYSTEM, entry)
    with pytest.raises(FaqError):
        submit_entry(session, SYSTEM, entry)


@pytest.mark.parametrize("role, may_edit, may_publish", [
    ("agent", False, False), ("policy", True, False), ("director", True, True), ("admin", True, True),
    ("department", False, False),
])
def test_who_may_edit_and_publish(import_tax, session, make_faq_entry, make_user, role, may_edit, may_publish):
    import_tax("税收征收管理法(2015-04-24).md")
    actor = make_user(f"user-{role}", role)
    if not may_edit:
        with pytest.raises(FaqError, match="只有"):
            make_faq_entry(actor)
        return
    entry = make_faq_entry(actor)
    submit_entry(session, actor, entry)
    if may_publish:
        assert publish_entry(session, actor, entry).status == PUBLISHED
    else:
        with pytest.raises(FaqError, match="只有中心主任或管理员可以发布"):
            publish_entry(session, actor, entry)


def test_the_system_acts_by_name_and_no_actor_is_refused(import_tax, session, make_faq_entry):
    """``SYSTEM`` (the command line, the importer) may edit and publish; ``None`` is not a way to skip
    the checks: it is refused, as every permission predicate refuses it."""
    from kb.core.actors import NoActor
    from kb.core.permissions import role_of

    import_tax("税收征收管理法(2015-04-24).md")
    entry = make_faq_entry(SYSTEM)
    assert publish_entry(session, SYSTEM, submit_entry(session, SYSTEM, entry)).status == PUBLISHED
    assert [v.actor_name for v in entry.versions] == ["系统"] * 3 and entry.versions[0].actor_id is None
    for operation in (lambda: make_faq_entry(None), lambda: retire_entry(session, None, entry),
                      lambda: update_entry(session, None, entry, FaqData(answer="改写。")),
                      lambda: record_usage(session, None, entry, "shown")):
        with pytest.raises(NoActor):
            operation()
    assert entry.status == PUBLISHED and role_of(None) is None and role_of(SYSTEM) is None


def test_publishing_needs_a_citation_to_a_unit_in_force(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md", "增值税暂行条例(2017-11-19).md", "增值税法(2024-12-25).md")
    uncited = make_faq_entry(citations=[])
    submit_entry(session, SYSTEM, uncited)
    with pytest.raises(FaqError, match="至少需要引用一条现行有效的条文"):
        publish_entry(session, SYSTEM, uncited)

    repealed_only = make_faq_entry(question="增值税税率是多少？", answer="税率为百分之十三。",
                                   citations=["《中华人民共和国增值税暂行条例》第二条"])
    assert "失效" in repealed_only.citations[0].citation_text
    submit_entry(session, SYSTEM, repealed_only)
    with pytest.raises(FaqError, match="至少需要引用一条现行有效的条文"):
        publish_entry(session, SYSTEM, repealed_only)

    update_entry(session, SYSTEM, repealed_only, FaqData(citations=["《中华人民共和国增值税法》第十条"]))
    assert publish_entry(session, SYSTEM, repealed_only).status == PUBLISHED
    with pytest.raises(FaqError, match="至少需要引用一条现行有效的条文"):
        update_entry(session, SYSTEM, repealed_only, FaqData(citations=[]))


def test_short_names_the_search_knows_are_accepted_without_brackets(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md")
    entry = make_faq_entry(citations=["征管法第二十一条", "征管法细则第75条"])
    assert [(c.unit.document.title, c.unit.label) for c in entry.citations] == [
        ("中华人民共和国税收征收管理法", "第二十一条"), ("中华人民共和国税收征收管理法实施细则", "第七十五条")]
    with pytest.raises(FaqError, match="中没有“第九百条”"):
        make_faq_entry(citations=["征管法第九百条"])
    with pytest.raises(FaqError, match="政策库中没有《契税法》"):
        make_faq_entry(citations=["契税法第三条"])


def test_unknown_citations_are_refused(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md")
    with pytest.raises(FaqError, match="中没有“第九百条”"):
        make_faq_entry(citations=["《中华人民共和国税收征收管理法》第九百条"])
    with pytest.raises(FaqError, match="政策库中没有《中华人民共和国契税法》"):
        make_faq_entry(citations=["《中华人民共和国契税法》第三条"])


def test_importing_a_revision_flags_citing_entries_until_reviewed(import_in_force, import_tax, session, make_faq_entry,
                                                                 make_user):
    import_in_force("发票管理办法(2019-03-02).md", "税收征收管理法(2015-04-24).md")
    director = make_user("zhuren", "director")
    entry = make_faq_entry(question="发票存根联要保存多久？", answer="已经开具的发票存根联，应当保存5年。",
                           citations=["发票管理办法(2019-03-02).md#第二十九条"])
    other = make_faq_entry()  # cites only 税收征收管理法
    for item in (entry, other):
        submit_entry(session, SYSTEM, item)
        publish_entry(session, director, item)
    session.commit()

    report = import_tax("发票管理办法(2023-07-20).md")  # the import flags the entries citing 2019
    session.expire_all()
    assert entry.needs_review
    assert flag_entries_citing(session, report.changed_document_ids) == [entry]
    session.commit()

    assert entry.needs_review and entry.warning == NEEDS_REVIEW_WARNING
    assert "已修订" in entry.review_reason and "2023-07-20" in entry.review_reason
    assert entry.versions[-1].action == "flagged" and entry.versions[-1].actor_name == "系统"
    assert not other.needs_review
    assert review_queue(session) == [entry]
    assert flag_entries_citing(session, report.changed_document_ids) == [entry]  # idempotent
    assert entry.versions[-1].action == "flagged" and entry.version == 4

    with pytest.raises(FaqError, match="至少需要引用一条现行有效的条文"):
        review_entry(session, director, entry, ReviewData(note="条文未变"))
    review_entry(session, director, entry, ReviewData(citations=["《中华人民共和国发票管理办法》第二十八条"],
                                                      note="改引2023年版"))
    assert not entry.needs_review and entry.review_reason is None
    assert entry.citations[0].reference == "发票管理办法(2023-07-20).md#第二十八条"
    assert entry.versions[-1].action == "reviewed"
    assert review_queue(session) == []


def test_a_reimported_corrected_file_relinks_or_flags_citations(import_tax, session_factory, session, make_faq_entry,
                                                                tmp_path, tax_catalog):
    name = "发票管理办法(2023-07-20).md"
    import_tax(name)
    kept = make_faq_entry(question="丢失发票会被罚款吗？", answer="可以处1万元以下的罚款。",
                          citations=[f"{name}#第三十四条"])
    changed = make_faq_entry(question="发票存根联要保存多久？", answer="应当保存5年。", citations=[f"{name}#第二十八条"])
    session.commit()
    corrected = tmp_path / name
    corrected.write_text((TAX / name).read_text(encoding="utf-8").replace("应当保存5年", "应当保存6年"), encoding="utf-8")
    report = import_paths(session_factory, [corrected], {name: tax_catalog[name]})
    assert report.ok and report.files[0].action == "replaced"

    session.expire_all()
    # The import itself re-linked the citation whose text stands and flagged the one whose text changed.
    assert changed.needs_review and not kept.needs_review
    assert flag_entries_citing(session, report.changed_document_ids) == [changed]  # idempotent
    assert kept.citations[0].unit is not None and kept.citations[0].unit.label == "第三十四条"
    assert not kept.needs_review
    assert "条文内容已变更" in changed.review_reason
    review_entry(session, SYSTEM, changed, ReviewData(note="已核对"))
    assert not changed.needs_review


def test_retired_entries_are_not_flagged(import_in_force, import_tax, session, make_faq_entry):
    import_in_force("发票管理办法(2019-03-02).md")
    entry = make_faq_entry(citations=["发票管理办法(2019-03-02).md#第二十九条"])
    retire_entry(session, SYSTEM, entry)
    session.commit()
    report = import_tax("发票管理办法(2023-07-20).md")
    session.expire_all()
    assert flag_entries_citing(session, report.changed_document_ids) == []


def test_review_queue_lists_due_and_pending_entries(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md")
    due = make_faq_entry(question="滞纳金怎么算？", citations=[LATE_FEE], review_by=dt.date(2026, 3, 1))
    later = make_faq_entry(review_by=dt.date(2027, 3, 1))
    pending = make_faq_entry(question="延期申报怎么办？", citations=["《中华人民共和国税收征收管理法》第二十七条"])
    for entry in (due, later):
        submit_entry(session, SYSTEM, entry)
        publish_entry(session, SYSTEM, entry)
    submit_entry(session, SYSTEM, pending)
    assert review_queue(session, today=dt.date(2026, 6, 1)) == [due, pending]
    review_entry(session, SYSTEM, due, ReviewData(review_by=dt.date(2027, 6, 1)))
    assert review_queue(session, today=dt.date(2026, 6, 1)) == [pending]


def test_usage_counters(import_tax, session, make_faq_entry):
    import_tax("税收征收管理法(2015-04-24).md")
    entry = make_faq_entry()
    for event in ("shown", "shown", "copied", "helpful", "not_helpful", "shown"):
        record_usage(session, SYSTEM, entry, event)
    session.commit()
    session.expire_all()
    assert (entry.shown_count, entry.copied_count, entry.helpful_count, entry.not_helpful_count) == (3, 1, 1, 1)
    with pytest.raises(FaqError):
        record_usage(session, SYSTEM, entry, "liked")


def test_answers_render_as_sanitised_html():
    html = render_answer("**可以**延期。\n\n- 一\n- 二\n\n<script>alert(1)</script>"
                         "[链接](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<strong>可以</strong>" in html and "<li>一</li>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html


def test_a_search_whose_top_article_was_replaced_meanwhile_is_logged_without_it(import_tax, session):
    """Another process replaced a document's units before this host's index caught up: the search still logs
    (its top article as none), instead of failing on the foreign key."""
    from sqlalchemy import func, select

    from kb.library.models import Unit
    from kb.reports.querylog import log_query

    import_tax("税收征收管理法(2015-04-24).md")
    unit_id = session.scalar(select(func.max(Unit.id)))
    kept = log_query(session, None, query="滞纳金", result_count=3, top_hit="征管法", top_unit_id=unit_id)
    gone = log_query(session, None, query="滞纳金", result_count=3, top_hit="征管法", top_unit_id=unit_id + 1000)
    assert (kept.top_unit_id, gone.top_unit_id, gone.top_hit) == (unit_id, None, "征管法")


def test_gaps_queue_groups_queries_that_found_nothing(import_tax, session, make_faq_entry):
    from kb.faq.operations import create_entry
    from kb.reports.gaps import gap_queue
    from kb.reports.querylog import log_query

    import_tax("税收征收管理法(2015-04-24).md")
    make_faq_entry(question="逾期申报会被罚款吗？", phrasings=["晚报税罚多少"])
    for text in ("个体户 定额 怎么核定", "个体户定额怎么核定？", "个体户定额怎么核定？", "出口退税 多久到账",
                 "晚报税罚多少", "滞纳金"):
        log_query(session, None, query=text, result_count=0)
    log_query(session, None, query="滞纳金", result_count=5)
    gaps = gap_queue(session)
    assert [(g.count, g.queries) for g in gaps] == [
        (3, ["个体户定额怎么核定？", "个体户 定额 怎么核定"]), (1, ["出口退税 多久到账"]), (1, ["滞纳金"])]
    draft = gaps[0].draft()
    assert draft.question == "个体户定额怎么核定？" and draft.phrasings == ["个体户 定额 怎么核定"]
    assert create_entry(session, SYSTEM, draft).status == "draft"
    assert [g.queries[0] for g in gap_queue(session)] == ["出口退税 多久到账", "滞纳金"]
