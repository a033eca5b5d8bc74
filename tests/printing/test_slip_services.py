"""Slips at the desk's service layer: the signing key, printing records, and scanning slips back.

An appointment slip checks the visitor in, a ticket shows its state, a visit slip its case; a
forged, altered, foreign or expired slip is refused with a Chinese message and a ``slip_refused``
event (issue 6, point 3).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, update

from hallterm import cli_scan
from hallterm.config import Settings, load_settings
from hallterm.domain import payloads
from hallterm.domain.cards import ScanError
from hallterm.domain.payloads import Keyring, appointment_payload, ticket_payload
from hallterm.printing.samples import sample_slips
from hallterm.services import print_jobs, printables, queue, signing, slip_builders
from hallterm.services.check_in import check_scan
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import events
from hallterm.storage.tables import slips
from tests.printing.conftest import NOW_LOCAL, slip_environ

TODAY = NOW_LOCAL.date()


# --- the key ---------------------------------------------------------------------------------------


def test_the_key_is_generated_on_first_use_private_and_reused(settings: Settings) -> None:
    path = settings.signing.key_path
    assert not path.exists()
    ring = signing.load_keyring(settings.signing, region="210300")
    assert ring is not None and ring.current == "K1" and len(ring.secrets["K1"]) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "never commit" in text and text.count("\nK1 ") == 1
    assert signing.load_keyring(settings.signing, region="210300") == ring  # the same key next time


def test_scan_without_a_key_never_creates_one(settings: Settings) -> None:
    assert signing.load_keyring(settings.signing, region="210300", create=False) is None
    assert not settings.signing.key_path.exists()


def test_rotation_adds_the_new_key_and_keeps_the_old_one(settings: Settings) -> None:
    old = signing.load_keyring(settings.signing, region="210300")
    assert old is not None
    slip = ticket_payload(TODAY, "A001", old)
    rotated_settings = dataclasses.replace(settings.signing, key_id="K2")
    rotated = signing.load_keyring(rotated_settings, region="210300")
    assert rotated is not None and rotated.current == "K2" and set(rotated.secrets) == {"K1", "K2"}
    assert rotated.secrets["K1"] == old.secrets["K1"]
    assert payloads.verify(slip, rotated).key_id == "K1"


def test_the_secret_from_the_environment_writes_no_file(tmp_path: Path, db_file: Path) -> None:
    settings = load_settings(environ=slip_environ(tmp_path, db_file, HALLTERM_SIGNING_SECRET="s" * 40))
    ring = signing.load_keyring(settings.signing, region="210300")
    assert ring is not None and ring.secrets["K1"] == b"s" * 40
    assert not settings.signing.key_path.exists()
    assert "s" * 40 not in repr(settings)  # never shown


def test_a_key_file_that_cannot_be_written_says_what_to_do(tmp_path: Path, db_file: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("")
    settings = load_settings(environ=slip_environ(tmp_path, db_file,
                                                  HALLTERM_SIGNING_KEY_FILE=str(blocker / "signing.key")))
    with pytest.raises(signing.SigningKeyError) as info:
        signing.load_keyring(settings.signing, region="210300")
    assert "HALLTERM_SIGNING_SECRET" in str(info.value)


def test_the_key_file_is_ignored_by_git() -> None:
    from hallterm.config_locations import DEFAULT_KEY_FILE, PROJECT_ROOT

    ignore = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/db/signing.key" in ignore and "/spool/" in ignore
    assert DEFAULT_KEY_FILE == PROJECT_ROOT / "db" / "signing.key"


# --- printing records --------------------------------------------------------------------------------


def test_printing_to_the_spool_records_the_slip_and_an_event(loaded: Services) -> None:
    ring = signing.keyring(loaded)
    outcome = print_jobs.print_slip(loaded, sample_slips(ring, NOW_LOCAL)[0], staff_id="S1401")
    assert outcome.status == "spooled" and outcome.ok
    assert outcome.message.startswith("未连接打印机，已保存到 ")
    with loaded.db.read() as conn:
        row = conn.execute(select(slips)).one()
        logged = events.recent(conn, kind="slip_spooled")
    assert (row.kind, row.title, row.status, row.files, row.day) == ("ticket", "排队票 A017", "spooled",
                                                                    "png,pdf,escpos", TODAY)
    assert row.content["number"] == "A017" and "王喆" in row.content["name"]  # masked when drawn
    assert logged[0].details["slip_id"] == row.id


def test_reprint_renders_again_when_the_spool_files_are_gone(loaded: Services) -> None:
    ring = signing.keyring(loaded)
    first = print_jobs.print_slip(loaded, sample_slips(ring, NOW_LOCAL)[1])
    for path in Path(first.spool_base).parent.glob(Path(first.spool_base).name + ".*"):
        path.unlink()
    again = print_jobs.reprint(loaded, first.slip_id)
    assert again.status == "spooled"
    base = Path(again.spool_base)
    assert base.with_name(base.name + ".png").is_file()


def test_a_character_the_font_lacks_is_warned_about_before_it_prints(loaded: Services) -> None:
    ring = signing.keyring(loaded)
    odd = dataclasses.replace(sample_slips(ring, NOW_LOCAL)[0], wait_where="한국어 안내 데스크")
    outcome = print_jobs.print_slip(loaded, odd)
    assert outcome.warnings and "한" in outcome.warnings[0] and "方框" in outcome.warnings[0]


# --- scanning slips back ------------------------------------------------------------------------------


def refused_events(svc: Services) -> list[events.Event]:
    with svc.db.read() as conn:
        return events.recent(conn, kind="slip_refused")


def test_a_ticket_slip_shows_the_tickets_state(loaded: Services, desk_session: StaffSession,
                                               cards: dict[str, str]) -> None:
    view = queue.issue_walkin(loaded, desk_session, cards["valid"])
    slip = slip_builders.ticket_slip(loaded, view)
    assert slip.name == "王喆" and slip.wait_where == "一楼重点项目服务区等候区"
    result = check_scan(loaded, slip.payload + "\r", session=desk_session)
    assert result.kind == "ticket" and result.ticket_id == view.id
    assert result.message == f"排队票 {view.number}：等候"
    assert ("持卡人", "王*") in result.lines
    with loaded.db.read() as conn:
        assert events.recent(conn, kind="slip_scanned")[0].ticket_id == view.id


def test_an_appointment_slip_checks_the_visitor_in_once(loaded: Services, desk_session: StaffSession,
                                                       cards: dict[str, str]) -> None:
    appointment_id = queue.book_appointment(loaded, cards["valid"], TODAY, "10:30", "11:00")
    payload = signing.appointment_payload(loaded, appointment_id, TODAY, "10:30")
    result = check_scan(loaded, payload.lower(), session=desk_session)  # Caps Lock on the scanner
    assert result.checked_in and result.ticket is not None
    assert result.ticket.number.startswith(loaded.settings.queue.appointment_series)
    assert "已签到" in result.message and "F10" in result.message
    again = check_scan(loaded, payload, session=desk_session)
    assert not again.checked_in and "不能签到" in again.message
    # The ticket of the check-in prints as a queue ticket.
    printable = printables.printable_ticket(loaded, result.ticket)
    assert printable.kind == "ticket" and "预约签到" in printable.preview


def test_a_visit_slip_shows_the_case(loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> None:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
    from hallterm.services.cases import open_case

    view = open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                     EnterpriseKind.FOREIGN, "鞍山钢智科技有限公司"))
    found = printables.printables_for_case(loaded, view)
    assert found[0].kind == "visit" and view.case_no in found[0].preview
    result = check_scan(loaded, found[0].item.payload, session=desk_session)
    assert result.kind == "visit" and result.case_id == view.id and view.case_no in result.message


@pytest.mark.parametrize("change", ["number", "signature", "key"])
def test_forged_or_altered_slips_are_refused_with_an_event(loaded: Services, desk_session: StaffSession,
                                                          change: str) -> None:
    good = signing.ticket_payload(loaded, TODAY, "A017")
    parts = good.split(":")
    if change == "number":
        parts[4] = "A001"
    elif change == "signature":
        parts[-1] = "A" * 16
    else:
        forged_ring = Keyring("K7", {"K7": b"someone-elses-secret-0123456789a"}, region="210300")
        parts = ticket_payload(TODAY, "A017", forged_ring).split(":")
    with pytest.raises(ScanError) as info:
        check_scan(loaded, ":".join(parts), session=desk_session)
    assert "人工核对" in str(info.value)
    (event,) = refused_events(loaded)
    assert event.staff_id == "S1401"
    assert event.details["reason"] == {"number": "bad_signature", "signature": "bad_signature",
                                       "key": "unknown_key"}[change]
    assert event.details["message"] == str(info.value)


def test_an_expired_ticket_is_refused(loaded: Services, desk_session: StaffSession, clock: list) -> None:  # type: ignore[type-arg]
    yesterday = signing.ticket_payload(loaded, TODAY - dt.timedelta(days=1), "A017")
    with pytest.raises(ScanError) as info:
        check_scan(loaded, yesterday, session=desk_session)
    assert "过号无效" in str(info.value)
    assert refused_events(loaded)[0].details["reason"] == "expired"


def test_a_valid_slip_the_hall_has_no_record_of_is_refused(loaded: Services, desk_session: StaffSession) -> None:
    with pytest.raises(ScanError) as info:
        check_scan(loaded, signing.ticket_payload(loaded, TODAY, "A999"), session=desk_session)
    assert "没有这张票的记录" in str(info.value)
    assert refused_events(loaded)[0].details["reason"] == "not_found"


def test_a_damaged_slip_is_refused_with_an_event_too(loaded: Services, desk_session: StaffSession) -> None:
    with pytest.raises(ScanError):
        check_scan(loaded, "HT2:210300:Q:2026", session=desk_session)
    assert refused_events(loaded)[0].details["reason"] == "malformed"


def test_cards_still_go_to_the_card_check(loaded: Services, desk_session: StaffSession,
                                          cards: dict[str, str]) -> None:
    from hallterm.domain.holders import CardCheck

    assert isinstance(check_scan(loaded, cards["valid"], session=desk_session), CardCheck)


def test_describe_says_what_a_code_is(settings: Settings) -> None:
    assert cli_scan.describe("HT2:210300:Q:20261126:A017:K1:AAAAAAAAAAAAAAAA", settings).startswith(
        "大厅回执（HT2），本机尚无签名密钥")
    ring = signing.keyring(settings)
    assert "签名有效（密钥 K1）" in cli_scan.describe(ticket_payload(TODAY, "A017", ring), settings)
    said = cli_scan.describe(appointment_payload(26, TODAY, "10:30", ring), settings)
    assert "预约编号 000026，2026-11-26 10:30" in said  # the 6-digit number, as the slip prints it
    assert "校验失败" in cli_scan.describe("HT2:210300:Q:20261126:A017:K1:AAAAAAAAAAAAAAAA", settings)
    assert cli_scan.describe("https://example.org/x", settings) == "网址（非本大厅签发）"
    assert cli_scan.describe("hello", settings) == "其他二维码或条码（非本大厅签发）"
    assert cli_scan.describe("GD2022A000178", settings).startswith("钢都英才卡号 GD2022A000178")
    assert os.environ.get("HALLTERM_SIGNING_SECRET") is None


def test_an_appointment_slip_lists_the_catalogs_materials(loaded: Services, cards: dict[str, str]) -> None:
    from hallterm.printing.slip_layouts import preview

    appointment_id = queue.book_appointment(loaded, cards["valid"], TODAY + dt.timedelta(days=1), "09:30", "10:00",
                                            item_codes="QY-GSSL")
    slip = slip_builders.appointment_slip(loaded, appointment_id)
    assert slip.items[0].name == "公司设立登记"
    assert "公司章程（全体股东签署）" in slip.items[0].materials
    assert any("委托代理人办理时" in m for m in slip.items[0].materials)  # a conditional one says when
    text = preview(slip)
    assert "一楼绿色通道窗口" in text and "王*" in text and "2026年11月27日" in text
    assert payloads.verify(slip.payload, signing.keyring(loaded)).fields[0] == str(appointment_id)
    with pytest.raises(ScanError):
        slip_builders.appointment_slip(loaded, 999_999)


# --- the visit slip of a visitor who waits ------------------------------------------------------------


@pytest.mark.parametrize(("when", "full", "says"), [
    (dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC), False, "协调员均不在岗，预计 08:30 回岗"),  # 07:30 local
    (dt.datetime(2026, 11, 26, 13, 30, tzinfo=dt.UTC), False, "协调员今日已下班，最早 11月27日 08:30 到岗"),
    (None, True, "洽谈室已满，空出后按顺序为您安排"),
    (dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC), True, "洽谈室已满；协调员均不在岗，预计 08:30 回岗"),
])
def test_a_queued_visitor_is_told_the_routings_own_reason(
        loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list,  # type: ignore[type-arg]
        when: dt.datetime | None, full: bool, says: str) -> None:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
    from hallterm.services.cases import open_case
    from hallterm.storage.tables import lounges

    if when is not None:
        clock[0] = when
    if full:
        with loaded.db.write() as conn:
            conn.execute(lounges.update().values(capacity=0))
    view = open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                     EnterpriseKind.FOREIGN, "鞍山钢智科技有限公司"))
    assert view.status == "queued"
    assert slip_builders.waiting_reason(loaded, view) == says
    assert slip_builders.visit_slip(loaded, view).waiting_reason == says
    text = printables.printables_for_case(loaded, view)[0].preview
    assert "请稍候" in text and "暂满" not in text
    assert says.split("，")[0] in text.replace("\n", "")  # narrow paper may wrap the rest


def test_a_routed_visitor_is_told_nothing_of_waiting(loaded: Services, desk_session: StaffSession,
                                                     cards: dict[str, str]) -> None:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
    from hallterm.services.cases import open_case

    view = open_case(loaded, desk_session, CaseDraft(cards["valid"], CaseKind.ENTERPRISE, ("QY-GSSL",),
                                                     EnterpriseKind.FOREIGN, "鞍山钢智科技有限公司"))
    assert view.status == "waiting"
    assert slip_builders.waiting_reason(loaded, view) == ""


def test_the_nightly_prune_removes_old_days_and_a_pruned_slip_still_reprints(loaded: Services) -> None:
    ring = signing.keyring(loaded)
    printed = print_jobs.print_slip(loaded, sample_slips(ring, NOW_LOCAL)[0])
    today = Path(printed.spool_base).parent
    old = today.with_name("2026-08-01")  # as if it had been printed in August
    today.rename(old)
    with loaded.db.write() as conn:
        conn.execute(update(slips).where(slips.c.id == printed.slip_id)
                     .values(spool_path=str(old / Path(printed.spool_base).name)))
    print_jobs.print_slip(loaded, sample_slips(ring, NOW_LOCAL)[1])  # today's slip

    folders, size = print_jobs.prune_spool(loaded)  # keeps 90 days by default

    assert folders == 1 and size > 0 and not old.exists() and today.is_dir()
    again = print_jobs.reprint(loaded, printed.slip_id)
    assert again.status == "spooled" and Path(again.spool_base + ".png").is_file()
