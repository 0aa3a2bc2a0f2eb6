"""A realistic month of demo records, for trying the reports on a fresh install and for scale tests.

``add_demo_month(session, period, calls, now)`` fills ``period`` with calls (in working hours, on
working days mostly), searches and referrals: realistic questions by category and tax type — the
published FAQ entries' own wordings when the FAQ is loaded, and the hotline's everyday questions
below, some of which no FAQ answers — asked of a dozen demo agents with 工号. A few records break
each 100% promise (no 工号, no answer written, a 转办 never sent, a late referral never reminded,
no feedback), some referrals are answered late, a tenth of the searches find nothing.

Every row added is listed in ``demo_records`` (table, id): ``remove_demo_data`` deletes exactly
those, and nothing else. Rows are inserted in bulk; nothing happens after ``now``.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kb.hotline.calls import ANSWERED, ESCALATED, REFERRED, TRANSFERRED
from kb.hotline.models import CLOSED, DIFFICULTY, FEEDBACK, REPLIED, SENT, Call, DirectorReport, Referral, ReferralEvent
from kb.core.departments import INSPECTION, SUPERVISION, TAX_TYPES, office_for_tax
from kb.faq.models import PUBLISHED, FaqEntry
from kb.core.periods import Period
from kb.reports.models import DemoRecord, QueryLog
from kb.accounts.roles import AGENT
from kb.accounts.models import User
from kb.core.workdays import due_at, is_working_day
from kb.core.timestamps import beijing_datetime, to_beijing

AGENTS = (("张丽", "1201"), ("王强", "1202"), ("李娜", "1203"), ("刘洋", "1204"), ("陈静", "1205"),
          ("杨帆", "1206"), ("赵敏", "1207"), ("黄磊", "1208"), ("周婷", "1209"), ("吴昊", "1210"),
          ("徐晓", "1211"), ("孙悦", "1212"))
DEMO_PREFIX = "demo-agent-"
CALLERS = ("王先生", "李女士", "张会计", "刘女士", "陈先生", "杨经理", "赵女士", "黄先生", "周会计", "吴女士")
OPENINGS = ("", "", "", "请问", "您好，请问", "我想问一下", "想咨询一下")
CLOSINGS = ("", "", "？", "？", "呢？", "，谢谢")

# (category, tax type, wordings separated by "|", answer); questions no FAQ entry may answer too.
BANK = (
    ("办税引导", None, "电子税务局登录不了怎么办|电子税务局密码忘了怎么重置|网上办税系统进不去", "请在电子税务局登录页点击“忘记密码”，通过手机验证码重置；仍无法登录的可到办税服务厅办理。"),
    ("办税引导", None, "办税服务厅几点上班|周六办税大厅开门吗|办税大厅的地址在哪里", "办税服务厅工作日上午9:00-12:00、下午13:30-17:00办公，法定节假日除外。"),
    ("办税引导", "增值税", "数电票怎么开具|全电发票在哪里开|数电发票开具流程", "登录电子税务局，进入“我要办税—开票业务—蓝字发票开具”，按提示填写后开具。"),
    ("办税引导", "增值税", "发票开错了怎么红冲|数电票开错了怎么作废|红字发票怎么开", "已开具的数电票发生错误，应通过电子税务局开具红字发票后重新开具。"),
    ("办税引导", "个人所得税", "个税APP怎么注册|个人所得税APP实名认证不了|个税APP注册码在哪里拿", "可通过人脸识别或办税服务厅获取的注册码在个人所得税APP注册。"),
    ("办税引导", "社会保险费", "灵活就业社保怎么交|个人社保断缴了怎么补|社保费在哪里缴纳", "灵活就业人员可通过电子税务局或手机APP缴纳社会保险费，补缴按社保部门规定办理。"),
    ("政策咨询", "出口退税", "出口退税多久能到账|出口退税申报流程|出口退税率怎么查", "出口退税审核通过后一般在规定时限内退库，退税率可在出口退税率文库中查询。"),
    ("政策咨询", "增值税", "小规模纳税人月销售额10万以下免增值税吗|小规模免税额度是多少|小规模季度30万免税吗", "小规模纳税人合计月销售额未超过10万元（按季30万元）的，免征增值税。"),
    ("政策咨询", "增值税", "增值税留抵退税怎么申请|留抵退税的条件是什么|增量留抵退税怎么算", "符合条件的纳税人可在申报期内通过电子税务局提交留抵退税申请。"),
    ("政策咨询", "个人所得税", "年终奖个税怎么计算|全年一次性奖金单独计税吗|年终奖要并入综合所得吗", "全年一次性奖金可按规定单独计税，也可并入当年综合所得计税。"),
    ("政策咨询", "企业所得税", "研发费用加计扣除比例是多少|研发费用怎么加计扣除|研发费加计扣除什么时候享受", "企业开展研发活动实际发生的研发费用，按规定在税前加计扣除。"),
    ("政策咨询", "房产税", "出租门面房要交哪些税|商铺出租交什么税|门面出租税费怎么算", "出租不动产涉及增值税、房产税、印花税等，按实际情况计算。"),
    ("政策咨询", "印花税", "租赁合同要贴印花吗|借款合同印花税税率|买卖合同印花税怎么交", "书面合同按《印花税法》所附税目税率表计算缴纳印花税。"),
    ("意见建议", None, "建议12366延长服务时间|热线电话太难打通了，建议增加坐席|希望电子税务局界面简单一点", "感谢您的建议，我们将记录并转交相关部门研究。"),
    ("举报", None, "我要举报一家公司虚开发票|举报饭店不开发票|举报某企业偷税漏税", None),
    ("投诉", None, "投诉办税大厅工作人员态度不好|投诉专管员吃拿卡要|投诉窗口人员推诿", None),
    ("行政复议申请", None, "对税务处理决定不服想申请复议|不服罚款决定怎么申请行政复议", "可自知道具体行政行为之日起六十日内提出行政复议申请。"),
    ("其他", None, "打错了|你们是社保局吗|这里是工商局吗", "您好，这里是12366税收服务热线，请您查证后再拨。"),
)
NOT_FOUND = ("灵活就业社保断缴补缴", "数电票红冲流程", "个税APP注册码", "跨省迁移清税证明", "定额发票验旧",
             "车购税完税证明丢失", "残保金申报", "文化事业建设费")


@dataclass
class Topic:
    category: str
    tax_type: str | None
    wordings: list[str]
    answer: str | None
    weight: float = 1.0


@dataclass
class DemoSummary:
    period: str
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        labels = {"users": "坐席", "calls": "来电", "referrals": "转办单", "referral_events": "转办记录",
                  "director_reports": "报告单", "query_log": "检索"}
        return f"{self.period}：" + "，".join(f"{labels.get(k, k)} {n}" for k, n in self.counts.items())


def _topics(session: Session, rng: random.Random) -> list[Topic]:
    topics = [Topic(c, t, w.split("|"), a) for c, t, w, a in BANK]
    for question, phrasings, answer, tax_types in session.execute(
            select(FaqEntry.question, FaqEntry.phrasings, FaqEntry.answer, FaqEntry.tax_types)
            .where(FaqEntry.status == PUBLISHED).order_by(FaqEntry.id)):
        tax = next((t for t in tax_types or () if t in TAX_TYPES), None)
        topics.append(Topic("政策咨询", tax, [question, *(phrasings or [])], (answer or "")[:200] or None))
    # A long tail: a few topics are asked often, differently each month (so some topics rise).
    for rank, topic in enumerate(rng.sample(topics, len(topics)), start=1):
        topic.weight = 1 / rank ** 0.8 * (0.15 if topic.category in ("举报", "投诉", "行政复议申请", "其他") else 1)
    return topics


def _call_times(period: Period, count: int, now: dt.datetime, rng: random.Random) -> list[dt.datetime]:
    days = [d for d in period.days if beijing_datetime(d, dt.time(8, 30)) < now]
    if not days:
        return []
    weights = [(1.0 if is_working_day(d) else 0.08) * rng.uniform(0.8, 1.2) for d in days]
    times = []
    for day in rng.choices(days, weights, k=count):
        minute = rng.choice((rng.randint(510, 719), rng.randint(840, 1079), rng.randint(720, 839)))
        at = beijing_datetime(day) + dt.timedelta(minutes=minute, seconds=rng.randint(0, 59))
        times.append(min(at, now))
    return sorted(times)


def _ensure_agents(session: Session, marks: list) -> list[User]:
    agents = []
    for number, (name, staff_no) in enumerate(AGENTS, start=1):
        username = f"{DEMO_PREFIX}{number:02d}"
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            # "!" is no password hash: nobody can log in as a demo agent.
            user = User(username=username, display_name=name, role=AGENT, staff_no=staff_no, password_hash="!",
                        must_change_password=True, active=True)
            session.add(user)
            session.flush()
            marks.append(("users", user.id))
        agents.append(user)
    return agents


def _bulk(session: Session, model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    result = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def add_demo_month(session: Session, period: Period, calls: int, now: dt.datetime, seed: int | None = None) -> DemoSummary:
    """Add ``calls`` demo calls (with their searches and referrals) to ``period``; return what was added."""
    rng = random.Random(seed if seed is not None else period.key)
    marks: list[tuple[str, int]] = []
    agents = _ensure_agents(session, marks)
    topics = _topics(session, rng)
    weights = [t.weight for t in topics]
    call_rows, plans = [], []
    for at in _call_times(period, calls, now, rng):
        topic = rng.choices(topics, weights)[0]
        agent = rng.choice(agents)
        question = rng.choice(OPENINGS) + rng.choice(topic.wordings).rstrip("？?") + rng.choice(CLOSINGS)
        disposition = _disposition(topic, rng)
        row = dict(created_at=at, agent_id=agent.id, agent_staff_no=agent.staff_no, caller_name=None,
                   caller_phone=None, category=topic.category, tax_type=topic.tax_type, question=question,
                   answer=topic.answer if disposition == ANSWERED else None, citations=[], disposition=disposition,
                   transferred_to=None)
        if disposition == TRANSFERRED:
            row["transferred_to"] = {"举报": INSPECTION, "投诉": SUPERVISION}.get(topic.category) or (
                office_for_tax(topic.tax_type) or "征管处")
        if disposition == REFERRED:
            row["caller_name"], row["caller_phone"] = rng.choice(CALLERS), f"139{rng.randint(10**7, 10**8 - 1)}"
            if rng.random() > 0.02:  # 2%: the 转办单 is never sent
                row["transferred_to"] = office_for_tax(topic.tax_type) or "征管处"
        _break_a_promise(row, rng)
        call_rows.append(row)
        plans.append((topic, agent))
    call_ids = _bulk(session, Call, call_rows)
    marks += [("calls", i) for i in call_ids]
    _add_searches(session, call_rows, plans, now, rng, marks)
    _add_referrals(session, call_rows, call_ids, plans, now, rng, marks)
    _add_reports(session, call_rows, call_ids, now, rng, marks)
    session.execute(insert(DemoRecord), [dict(table_name=t, row_id=i, period=period.key, created_at=now)
                                         for t, i in marks])
    session.flush()
    counts: dict[str, int] = {}
    for table, _ in marks:
        counts[table] = counts.get(table, 0) + 1
    return DemoSummary(period.key, counts)


def _disposition(topic: Topic, rng: random.Random) -> str:
    if topic.category in ("举报", "投诉"):
        return TRANSFERRED
    if topic.answer is None:
        return REFERRED
    return rng.choices((ANSWERED, TRANSFERRED, REFERRED, ESCALATED), (86, 5, 8, 1))[0]


def _break_a_promise(row: dict, rng: random.Random) -> None:
    """About one call in two hundred is recorded carelessly."""
    slip = rng.random()
    if slip < 0.003:
        row["agent_staff_no"] = None                     # 未报工号
    elif slip < 0.006 and row["disposition"] == ANSWERED:
        row["answer"] = None                             # 未写明答复内容


def _add_searches(session, call_rows, plans, now, rng, marks) -> None:
    rows = []
    for call, (topic, agent) in zip(call_rows, plans):
        for _ in range(rng.choice((0, 1, 1, 2))):
            found = rng.random() > 0.1
            text = rng.choice(topic.wordings) if found else rng.choice(NOT_FOUND)
            at = min(call["created_at"] + dt.timedelta(seconds=rng.randint(5, 90)), now)
            rows.append(dict(query=text, result_count=rng.randint(1, 20) if found else 0, top_unit_id=None,
                             top_hit=None, took_ms=round(rng.uniform(8, 60), 1), user_id=agent.id, created_at=at))
    marks += [("query_log", i) for i in _bulk(session, QueryLog, rows)]


def _add_referrals(session, call_rows, call_ids, plans, now, rng, marks) -> None:
    referrals, histories = [], []
    for call, call_id, (topic, agent) in zip(call_rows, call_ids, plans):
        department = call["transferred_to"]
        created = call["created_at"] + dt.timedelta(minutes=rng.randint(2, 20))
        if call["disposition"] != REFERRED or not department or created > now:
            continue
        sent = created if rng.random() > 0.03 else created + dt.timedelta(days=3)  # 3% sent late
        due = due_at(sent)
        referral = dict(call_id=None if rng.random() < 0.01 else call_id, created_at=created, agent_id=agent.id,
                        agent_staff_no=agent.staff_no, caller_name=call["caller_name"],
                        caller_contact=call["caller_phone"], category=call["category"], tax_type=call["tax_type"],
                        question=call["question"], searched=[], articles=[], suggested_department=department,
                        suggestion_reason="按税种转业务处室", department=department, state=SENT, sent_at=sent,
                        due_at=due, reminder_count=0, reminder_due_at=None, escalated=False, answer=None,
                        answer_citations=[], answered_at=None, answered_by_id=None, return_reason=None,
                        feedback=None, feedback_at=None, closed_at=None)
        events = [("created", created, None), ("sent", sent, f"转{department}，答复期限 {to_beijing(due):%Y-%m-%d %H:%M}")]
        luck = rng.random()
        answered = (sent + dt.timedelta(hours=rng.uniform(2, 40)) if luck < 0.75
                    else due + dt.timedelta(hours=rng.uniform(2, 50)) if luck < 0.95 else None)
        reminded_until = min(answered or now, now)
        if due < reminded_until and rng.random() > 0.1:  # 10% of late ones never reminded
            for n, at in enumerate((due + dt.timedelta(minutes=5), due_at(due + dt.timedelta(minutes=5), 1)), 1):
                if at < reminded_until:
                    referral["reminder_count"], referral["reminder_due_at"] = n, due_at(at, 1)
                    events.append(("reminder", at, f"第 {n} 次催办"))
        if answered is not None and answered <= now:
            referral.update(state=REPLIED, answered_at=answered, answer="经研究，答复如下：请按现行政策规定办理。")
            events.append(("replied", answered, None))
            feedback = answered + dt.timedelta(hours=rng.uniform(0.5, 6))
            if rng.random() > 0.05 and feedback <= now:                # 5%: no feedback recorded
                referral.update(state=FEEDBACK, feedback="已电话告知纳税人，纳税人表示清楚。", feedback_at=feedback)
                events.append(("feedback", feedback, "已电话告知纳税人"))
                closed = feedback + dt.timedelta(hours=1)
                if closed <= now:
                    referral.update(state=CLOSED, closed_at=closed)
                    events.append(("closed", closed, None))
        referrals.append(referral)
        histories.append(events)
    ids = _bulk(session, Referral, referrals)
    marks += [("referrals", i) for i in ids]
    event_rows = [dict(referral_id=rid, at=at, actor_id=None, actor_name="系统" if kind == "reminder" else "坐席",
                       kind=kind, note=note) for rid, events in zip(ids, histories) for kind, at, note in events]
    marks += [("referral_events", i) for i in _bulk(session, ReferralEvent, event_rows)]


def _add_reports(session, call_rows, call_ids, now, rng, marks) -> None:
    rows = []
    for call, call_id in zip(call_rows, call_ids):
        if call["disposition"] != ESCALATED:
            continue
        created = call["created_at"] + dt.timedelta(minutes=10)
        handled = created + dt.timedelta(hours=rng.uniform(1, 30))
        done = handled <= now and rng.random() > 0.1
        rows.append(dict(kind=DIFFICULTY, created_at=min(created, now), created_by_id=call["agent_id"],
                         call_id=call_id, referral_id=None, content=f"重大疑难问题：{call['question']}",
                         handling="已协调业务处室答复纳税人。" if done else None, handled_at=handled if done else None,
                         handled_by_id=None))
    marks += [("director_reports", i) for i in _bulk(session, DirectorReport, rows)]


# Deletion order: children first.
_TABLES = (("referral_events", ReferralEvent), ("director_reports", DirectorReport), ("referrals", Referral),
           ("query_log", QueryLog), ("calls", Call), ("users", User))


def remove_demo_data(session: Session) -> dict[str, int]:
    """Delete every demo row (and the demo agents' appraisal sheets and entries); return counts by table."""
    from kb.reports.models import AppraisalEvent, AppraisalSheet
    from kb.hotline.models import AnswerReview

    removed: dict[str, int] = {}
    demo_users = select(DemoRecord.row_id).where(DemoRecord.table_name == "users")
    session.execute(delete(AppraisalSheet).where(AppraisalSheet.agent_id.in_(demo_users)))
    session.execute(delete(AppraisalEvent).where(AppraisalEvent.agent_id.in_(demo_users)))
    referral_ids = select(DemoRecord.row_id).where(DemoRecord.table_name == "referrals")
    call_ids = select(DemoRecord.row_id).where(DemoRecord.table_name == "calls")
    session.execute(delete(AnswerReview).where(AnswerReview.call_id.in_(call_ids)))
    for name, model in _TABLES:
        condition = model.id.in_(select(DemoRecord.row_id).where(DemoRecord.table_name == name))
        # What the real workflow later added to a demo record goes too (a 催办, a 催办无效报告).
        if model is ReferralEvent:
            condition = condition | model.referral_id.in_(referral_ids)
        elif model is DirectorReport:
            condition = condition | model.referral_id.in_(referral_ids) | model.call_id.in_(call_ids)
        result = session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
        removed[name] = result.rowcount
    session.execute(delete(DemoRecord))
    session.flush()
    return removed


def demo_periods(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(DemoRecord.period).distinct())))
