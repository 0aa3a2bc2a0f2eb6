"""The forms of the 转办单 pages: the draft from an unanswered search, the steps on a referral's
page, and the director's 重大疑难问题报告单 (report, handling, passing it to a department).

Limits are the ones ``kb.hotline.referrals`` and ``kb.hotline.director_reports`` already enforce (the columns'
lengths, the required texts, with the same messages); ``kb`` stays the authority and explains
what a form cannot know (a department that does not exist, another agent's call).
"""
from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from kb.hotline.referrals import NewReferral
from kb.hotline.routing import CATEGORIES
from webapp.forms import Form, TextListField, lines

_NAME = Length(max=100, message="纳税人姓名不能超过 100 字")
_CONTACT = Length(max=100, message="联系方式不能超过 100 字")
_DEPARTMENT = Length(max=100, message="部门名称不能超过 100 字")


class ReferralForm(Form):
    """The draft: caller, category, tax type, question, what was searched and read, the department."""

    caller_name = StringField("纳税人姓名", validators=[_NAME])
    caller_contact = StringField("联系方式", validators=[_CONTACT])
    category = SelectField("来电类别", choices=[SelectChoice("", "（按接听记录）")] + [SelectChoice(c) for c in CATEGORIES],
                           default="")
    tax_type = StringField("税种", validators=[Length(max=30, message="税种不能超过 30 字")])
    question = TextAreaField("需转办的问题")
    searched = TextListField("检索词")
    articles = TextListField("查看的条文")
    department = StringField("承办部门", validators=[_DEPARTMENT])
    call_id = IntegerField("接听记录", validators=[Optional()])
    action = HiddenField()

    def fields(self) -> dict:
        """The draft's fields as ``kb.hotline.referral_drafts.referral_draft`` takes them."""
        return {name: getattr(self, name).data for name in (
            "question", "category", "tax_type", "caller_name", "caller_contact", "department", "searched",
            "articles", "call_id")}

    def to_data(self) -> NewReferral:
        return NewReferral(
            caller_name=self.caller_name.data or "", caller_contact=self.caller_contact.data or "",
            question=self.question.data, call_id=self.call_id.data, category=self.category.data or None,
            tax_type=self.tax_type.data or None, searched=self.searched.data, articles=self.articles.data,
            department=self.department.data or None,
        )

    @property
    def send(self) -> bool:
        return self.action.data == "send"


class SendForm(Form):
    department = StringField("承办部门", validators=[DataRequired("请选择承办部门"), _DEPARTMENT])


class ReplyForm(Form):
    answer = TextAreaField("答复意见", validators=[DataRequired("请填写答复意见")])
    citations = TextAreaField("答复依据")

    def to_data(self) -> dict:
        return {"answer": self.answer.data, "citations": lines(self.citations.data)}


class ReturnForm(Form):
    reason = TextAreaField("退回理由", validators=[DataRequired("退回转办单须说明理由")])


class FeedbackForm(Form):
    feedback = TextAreaField("回访反馈", validators=[DataRequired("请填写回访反馈内容")])


class HandlingForm(Form):
    handling = TextAreaField("处理意见", validators=[DataRequired("请填写处理意见")])


class PassReportForm(Form):
    department = StringField("承办部门", validators=[DataRequired("请选择承办部门"), _DEPARTMENT])
    caller_name = StringField("纳税人姓名", validators=[_NAME])
    caller_contact = StringField("联系方式", validators=[_CONTACT])


class DifficultyReportForm(Form):
    content = TextAreaField("重大疑难问题", filters=[lambda v: (v or "").strip()],
                            validators=[DataRequired("请写明重大、疑难问题的内容")])
    call_id = IntegerField("接听记录", validators=[Optional()])
