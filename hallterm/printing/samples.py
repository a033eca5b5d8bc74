"""Sample slips and notices: what ``hallterm print test`` prints, and random slips for tests and the bench."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from hallterm.domain import documents as docs
from hallterm.domain.payloads import Keyring, appointment_payload, handout_payload, ticket_payload, visit_payload
from hallterm.printing.slip_layouts import AppointmentSlip, HandoutReceipt, ItemToBring, Slip, TicketSlip, VisitSlip

SAMPLE_CASE = "210300-20261126-0007"
# Names with the characters fonts most often lack (research/printing.md §3): 喆 玥 堃 are not in GB2312.
SAMPLE_NAMES = ("王喆", "李玥", "赵昊", "孙鑫", "周睿", "吴堃", "郑圳", "欧阳玥玥", "司马喆睿")
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁"
             "任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔")
_GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉红建国"
          "喆玥昊鑫睿堃圳晗琪萱怡婷芮珺昇翀赟垚犇骉淼焱彧祎")
_ITEMS = (
    ItemToBring("公司设立登记", ("公司登记（备案）申请书（法定代表人签署）", "公司章程（全体股东签署）",
                                  "股东主体资格文件或自然人身份证明", "住所（经营场所）使用证明")),
    ItemToBring("食品经营许可", ("食品经营许可申请书", "营业执照复印件",
                                  "与食品经营相适应的主要设备设施布局、操作流程等文件")),
    ItemToBring("建设工程规划许可", ("建设工程规划许可证申请表", "使用土地的有关证明文件", "建设工程设计方案")),
)


def sample_slips(keyring: Keyring, now: dt.datetime, *, bilingual: bool = False) -> list[Slip]:
    """One of each slip, dated ``now`` (hall-local), signed with ``keyring`` as test slips: no desk accepts
    them (issue 16 point 1: the sample appointment slip once checked in the real appointment 123)."""
    keyring = keyring.for_test_slips()
    today = now.date()
    tomorrow = today + dt.timedelta(days=1)
    return [
        TicketSlip("A017", "绿色通道现场取号", now, 3, "一楼重点项目服务区等候区",
                   ticket_payload(today, "A017", keyring), name="王喆", bilingual=bilingual),
        AppointmentSlip("B-000123", tomorrow, "09:30", "10:00", _ITEMS[:2], 2, "业务洽谈室3",
                        appointment_payload(123, tomorrow, "09:30", keyring), name="欧阳玥玥", bilingual=bilingual),
        VisitSlip(SAMPLE_CASE, now, ("公司设立登记", "食品经营许可"), "业务洽谈室3", 2, "李娜（分机 8012）",
                  visit_payload(SAMPLE_CASE, today, keyring), name="吴堃", bilingual=bilingual),
        HandoutReceipt(SAMPLE_CASE, now, ("公司设立登记（鞍审批准字〔2026〕第0012号）",), "代理人领取", "司马喆睿",
                       "210***********0023", "统一发证窗口", "刘洋", handout_payload(SAMPLE_CASE, 42, today, keyring),
                       name="吴堃", bilingual=bilingual),
    ]


def sample_notices(today: dt.date, case_no: str = SAMPLE_CASE) -> list[docs.Document]:
    """One of each notice for an invented case, built by the documents module's own builders."""
    common: dict[str, Any] = {"case_no": case_no, "issued_on": today,
                              "applicant": "鞍山钢智科技有限公司（联系人 王喆）", "item_name": "公司设立登记"}
    missing = (docs.MissingMaterial("董事、监事、经理任职文件及身份证明", "次要材料"),
               docs.MissingMaterial("住所（经营场所）使用证明", "主审要件", "",
                                    "产权证明，或租赁合同及出租方产权证明；实行住所申报承诺制的可提交承诺书"))
    later = today + dt.timedelta(days=7)
    return [
        docs.acceptance_notice(seq=1, **common, accepted_on=today, promised_days=5, promised_date=later,
                               staff_name="李娜", staff_phone="0412-5551234"),
        docs.one_time_notice(seq=1, **common, missing=missing, supplement_by=later),
        docs.conditional_commitment(seq=1, **common, missing=missing[:1], supplement_by=later),
        docs.conditional_notice(seq=1, **common, accepted_on=today, missing=missing[:1], supplement_by=later),
        docs.special_procedure_notice(seq=1, **common, procedure="SITE_INSPECTION", started_on=today,
                                      expected_working_days=3),
    ]


def random_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def random_slip(rng: random.Random, keyring: Keyring, today: dt.date) -> Slip:
    """A slip with random content and a valid payload (for the round-trip test and the bench)."""
    tz = dt.timezone(dt.timedelta(hours=8))
    when = dt.datetime(today.year, today.month, today.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=tz)
    bilingual = rng.random() < 0.3
    kind = rng.randrange(3)
    if kind == 0:
        number = f"{rng.choice('ABYVG')}{rng.randint(1, 999):03d}"
        return TicketSlip(number, rng.choice(("绿色通道现场取号", "预约签到")), when, rng.randint(0, 60),
                          rng.choice(("一楼重点项目服务区等候区", "二楼业务洽谈室外等候区")),
                          ticket_payload(today, number, keyring), name=random_name(rng), bilingual=bilingual)
    if kind == 1:
        day = today + dt.timedelta(days=rng.randint(0, 10))
        start = f"{rng.randint(8, 17):02d}:{rng.choice((0, 30)):02d}"
        appointment_id = rng.randint(1, 10**rng.randint(1, 9))
        items = tuple(rng.sample(_ITEMS, rng.randint(1, 2)))
        payload = appointment_payload(appointment_id, day, start, keyring)
        return AppointmentSlip(f"B-{appointment_id:06d}", day, start, start[:3] + "59", items, 2,
                               f"业务洽谈室{rng.randint(1, 5)}", payload, name=random_name(rng),
                               after_hours=rng.random() < 0.2, bilingual=bilingual)
    case_no = f"210300-{today:%Y%m%d}-{rng.randint(1, 9999):04d}"
    return VisitSlip(case_no, when, tuple(i.name for i in rng.sample(_ITEMS, rng.randint(1, 3))),
                     f"业务洽谈室{rng.randint(1, 5)}", 2, f"{random_name(rng)}（分机 80{rng.randint(10, 99)}）",
                     visit_payload(case_no, today, keyring), name=random_name(rng),
                     queue_position=rng.choice((None, None, rng.randint(1, 9))), bilingual=bilingual)
