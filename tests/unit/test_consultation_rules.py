"""Early consultation (S5) and joint review (S8): the pure rules and their refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.consultations import (
    Channel,
    ConsultationDraft,
    ConsultationError,
    ConsultationStatus,
    check_closable,
    check_convertible,
    check_draft,
    parse_channel,
    parse_follow_up,
)
from hallterm.domain.joint_reviews import (
    Conclusion,
    JointReviewError,
    Opinion,
    ReviewStatus,
    check_opinion,
    check_outcome,
    check_schedule,
    parse_departments,
    parse_time,
)

TODAY = dt.date(2026, 11, 26)
SECTIONS = ("业务协调科", "企业登记科")
DEFAULT = dt.date(2026, 12, 1)
VALID_USCC = "91210300MA0QF5XB37"  # a correct GB 32100 check character (checked below)


def draft(**changes: object) -> ConsultationDraft:
    base = {"channel": Channel.PHONE, "section": "业务协调科", "topic": "公司设立登记需要哪些材料",
            "card_no": "GD2022A00017X"}
    base.update(changes)
    return ConsultationDraft(**base)  # type: ignore[arg-type]


def check(d: ConsultationDraft) -> ConsultationDraft:
    return check_draft(d, today=TODAY, sections=SECTIONS, default_follow_up=DEFAULT)


def test_a_holder_consultation_gets_the_default_follow_up_and_clean_text() -> None:
    done = check(draft(topic="  公司设立\t登记 ", card_no=" gd2022a00017x "))
    assert done.follow_up_on == DEFAULT
    assert done.topic == "公司设立 登记"
    assert done.card_no == "GD2022A00017X"


def test_a_company_not_yet_carded_with_a_valid_code() -> None:
    from hallterm.domain.ids import is_valid_uscc

    code = VALID_USCC
    assert is_valid_uscc(code)
    done = check(draft(card_no="", company_name="鞍山新材料科技有限公司", uscc=code.lower()))
    assert (done.company_name, done.uscc) == ("鞍山新材料科技有限公司", code)


@pytest.mark.parametrize(("changes", "says"), [
    ({"card_no": "", "company_name": ""}, "请扫描持卡人的卡号，或填写尚未办卡的企业名称"),
    ({"card_no": "", "company_name": "鞍山某公司", "uscc": "91210300MA0QF5XB38"}, "校验不通过"),
    ({"card_no": "", "company_name": "鞍山某公司", "uscc": "鞍山某公司"}, "填的是文字"),
    ({"card_no": "", "company_name": "91210300MA0QF5XB37"}, "企业名称一栏填的是信用代码"),
    ({"section": "不存在科"}, "请选择科室（业务协调科、企业登记科）"),
    ({"topic": "   "}, "请填写咨询事项"),
    ({"topic": "字" * 201}, "咨询事项最多 200 个字"),
    ({"notes": "字" * 1001}, "备注最多 1000 个字"),
    ({"follow_up_on": TODAY - dt.timedelta(days=1)}, "跟进日期 2026-11-25 已经过去"),
    ({"follow_up_on": TODAY + dt.timedelta(days=400)}, "超过一年"),
])
def test_bad_input_is_refused_saying_what_to_do(changes: dict[str, object], says: str) -> None:
    with pytest.raises(ConsultationError, match=says):
        check(draft(**changes))


def test_today_is_a_valid_follow_up_date() -> None:
    assert check(draft(follow_up_on=TODAY)).follow_up_on == TODAY


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ConsultationError) as refused:
        check(draft(card_no="", topic="", section=""))
    assert str(refused.value).count("；") == 2


@pytest.mark.parametrize(("typed", "day"), [
    ("2026-12-08", dt.date(2026, 12, 8)), ("20261208", dt.date(2026, 12, 8)), ("12-08", dt.date(2026, 12, 8)),
    ("2026/12/08", dt.date(2026, 12, 8)), ("01-05", dt.date(2027, 1, 5)), ("", None),
])
def test_follow_up_dates_as_typed(typed: str, day: dt.date | None) -> None:
    assert parse_follow_up(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["明天", "2026-13-01", "12", "2026-02-30"])
def test_unreadable_follow_up_dates_are_refused(typed: str) -> None:
    with pytest.raises(ConsultationError, match="看不懂"):
        parse_follow_up(typed, TODAY)


def test_channels_by_code_or_chinese_name() -> None:
    assert parse_channel("电话") is Channel.PHONE
    assert parse_channel("on_site") is Channel.ON_SITE
    with pytest.raises(ConsultationError, match="网络、电话 或 现场"):
        parse_channel("邮件")


def test_conversion_refusals() -> None:
    check_convertible(ConsultationStatus.OPEN, "ZX000001", has_holder=True, target="办件", linked="")
    check_convertible(ConsultationStatus.CONVERTED, "ZX000001", has_holder=True, target="办件", linked="")
    with pytest.raises(ConsultationError, match="已转为办件 210300-20261126-0001，不能重复转办"):
        check_convertible(ConsultationStatus.CONVERTED, "ZX000001", has_holder=True, target="办件",
                          linked="210300-20261126-0001")
    with pytest.raises(ConsultationError, match="尚未办卡的企业"):
        check_convertible(ConsultationStatus.OPEN, "ZX000001", has_holder=False, target="预约", linked="")
    with pytest.raises(ConsultationError, match="已完结"):
        check_convertible(ConsultationStatus.CLOSED, "ZX000001", has_holder=True, target="预约", linked="")


def test_closing_needs_an_open_consultation_and_a_note() -> None:
    assert check_closable(ConsultationStatus.OPEN, "ZX000001", " 已电话答复 ") == "已电话答复"
    with pytest.raises(ConsultationError, match="请写明跟进结果"):
        check_closable(ConsultationStatus.OPEN, "ZX000001", "  ")
    with pytest.raises(ConsultationError, match="已转办，无需再完结"):
        check_closable(ConsultationStatus.CONVERTED, "ZX000001", "x")


# --- joint review (S8) ---------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 26, 10, 0)
CATALOG = ("市自然资源局", "市生态环境局", "工程建设审批科")


def schedule(**changes: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"day": TODAY, "start": "14:30", "place": "二楼业务洽谈室",
                               "departments": ["市自然资源局", "市生态环境局"]}
    args.update(changes)
    return check_schedule(args["day"], args["start"], args["place"], args["departments"],  # type: ignore[arg-type]
                          local_now=NOW, catalog=CATALOG, case_active=bool(changes.get("active", True)),
                          case_no="210300-20261126-0001", pending=str(changes.get("pending", "")))


def test_a_meeting_later_today() -> None:
    plan = schedule(start="1430", departments=["市自然资源局", " 市自然资源局", "市生态环境局"])
    assert (plan.start, plan.departments) == ("14:30", ("市自然资源局", "市生态环境局"))


@pytest.mark.parametrize(("changes", "says"), [
    ({"start": "09:00"}, "已经过去"),
    ({"day": TODAY - dt.timedelta(days=1)}, "已经过去"),
    ({"start": "25:00"}, "应写成 HH:MM"),
    ({"place": " "}, "请填写会商地点"),
    ({"departments": []}, "请勾选至少一个受邀部门"),
    ({"departments": ["市教育局"]}, "市教育局 不在会商部门名录中"),
    ({"active": False}, "已办结，不能再安排会商"),
    ({"pending": "会商〔2026〕第0001号"}, "已安排会商 会商〔2026〕第0001号，尚未形成结论"),
])
def test_schedule_refusals(changes: dict[str, object], says: str) -> None:
    with pytest.raises(JointReviewError, match=says):
        schedule(**changes)


def test_time_forms() -> None:
    assert parse_time("9：30") == "09:30"
    assert parse_time("930") == "09:30"


def test_opinions_need_words_when_not_plain_agreement() -> None:
    invited = ("市自然资源局", "市生态环境局")
    assert check_opinion(ReviewStatus.SCHEDULED, "N", "市自然资源局", invited, Opinion.AGREE, "") == ""
    with pytest.raises(JointReviewError, match="请写明所附条件"):
        check_opinion(ReviewStatus.SCHEDULED, "N", "市自然资源局", invited, Opinion.CONDITIONAL, " ")
    with pytest.raises(JointReviewError, match="请写明不同意的理由"):
        check_opinion(ReviewStatus.SCHEDULED, "N", "市自然资源局", invited, Opinion.DISAGREE, "")
    with pytest.raises(JointReviewError, match="未受邀参加会商"):
        check_opinion(ReviewStatus.SCHEDULED, "N", "工程建设审批科", invited, Opinion.AGREE, "")
    with pytest.raises(JointReviewError, match="已形成结论，不能再改意见"):
        check_opinion(ReviewStatus.CONCLUDED, "N", "市自然资源局", invited, Opinion.AGREE, "")


def test_outcome_rules() -> None:
    given = {"市自然资源局": Opinion.AGREE, "市生态环境局": Opinion.DISAGREE}
    after = dt.datetime.combine(TODAY, dt.time(15, 0))  # the meeting began at 14:30

    def outcome(status: ReviewStatus, opinions: dict[str, Opinion | None], conclusion: Conclusion, text: str,
                now: dt.datetime = after, day: dt.date = TODAY) -> str:
        return check_outcome(status, "N", day, "14:30", now, opinions, conclusion, text)

    assert outcome(ReviewStatus.SCHEDULED, given, Conclusion.CONDITIONAL, " 补充环评后办理 ") == "补充环评后办理"
    with pytest.raises(JointReviewError, match="市生态环境局不同意，结论不能是“同意办理”"):
        outcome(ReviewStatus.SCHEDULED, given, Conclusion.APPROVED, "同意")
    with pytest.raises(JointReviewError, match="开会后才能记录结论"):
        outcome(ReviewStatus.SCHEDULED, given, Conclusion.CONDITIONAL, "x", day=TODAY + dt.timedelta(days=1))
    with pytest.raises(JointReviewError, match="14:30 举行，开会后才能记录结论"):  # the same day, before it starts
        outcome(ReviewStatus.SCHEDULED, given, Conclusion.CONDITIONAL, "x", now=after.replace(hour=10))
    with pytest.raises(JointReviewError, match="还没有任何部门的意见"):
        outcome(ReviewStatus.SCHEDULED, {"市自然资源局": None}, Conclusion.DEFERRED, "x")
    with pytest.raises(JointReviewError, match="请写明会商结论的内容"):
        outcome(ReviewStatus.SCHEDULED, given, Conclusion.REJECTED, "")
    with pytest.raises(JointReviewError, match="已形成结论，不能再改"):
        outcome(ReviewStatus.CONCLUDED, given, Conclusion.REJECTED, "x")


def test_the_department_catalog_file() -> None:
    assert parse_departments('departments = ["甲", " 乙 "]') == ("甲", "乙")
    for bad in ('departments = []', 'departments = ["甲", "甲"]', "departments = [", 'other = 1'):
        with pytest.raises(JointReviewError):
            parse_departments(bad)


def test_the_shipped_department_catalog_reads() -> None:
    from hallterm.config_locations import SHIPPED_ASSETS

    names = parse_departments((SHIPPED_ASSETS / "departments.toml").read_text(encoding="utf-8"))
    assert "业务协调科" in names and "市自然资源局" in names
