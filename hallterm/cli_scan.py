"""``hallterm scan IMAGE…``: the codes decoded in each image, and what each says: a card number, one of
the hall's slips (with its signature checked against the hall's key), a web address, or something else."""

from __future__ import annotations

from pathlib import Path

from hallterm.cli_base import CliError
from hallterm.config import Settings
from hallterm.domain import payloads
from hallterm.domain.appointments import appointment_no
from hallterm.domain.cards import CardFormat, ScanError, parse_scan
from hallterm.domain.payloads import Kind, PayloadError
from hallterm.domain.terminal_text import visible
from hallterm.services.signing import SigningKeyError, load_keyring


def describe(text: str, settings: Settings) -> str:
    """One line saying what a decoded payload is; never creates a key, never touches the database."""
    normalized = payloads.normalize(text)
    if payloads.is_slip(normalized):
        try:
            ring = load_keyring(settings.signing, region=settings.hall.region_code, create=False)
        except SigningKeyError as exc:
            return f"本大厅回执，无法校验签名：{exc}"
        if ring is None:
            return f"大厅回执（{payloads.PREFIX}），本机尚无签名密钥，无法校验签名"
        try:
            payload = payloads.verify(text, ring, test_ok=True)
        except PayloadError as exc:
            return f"回执校验失败：{exc}"
        name = payloads.KIND_NAMES[payload.kind]
        if payload.is_test:  # the technician checks printer and scanner with these; no desk accepts them
            return f"打印测试样张：{name}（{_fields_text(payload)}），签名有效（密钥 {payload.key_id}），柜台不会受理"
        return f"本大厅{name}（{_fields_text(payload)}），签名有效（密钥 {payload.key_id}）"
    try:
        scan = parse_scan(text, CardFormat(settings.cards.pattern, settings.cards.check))
    except ScanError:
        scan = None
    if scan is not None and scan.kind == "card":
        return f"钢都英才卡号 {scan.card_no}（格式和校验位正确）"
    if text.lower().startswith(("http://", "https://")):
        return "网址（非本大厅签发）"
    return "其他二维码或条码（非本大厅签发）"


def _fields_text(payload: payloads.Payload) -> str:
    f = payload.fields
    if payload.kind is Kind.TICKET:
        return f"{f[1]}，{payload.day:%Y-%m-%d}"
    if payload.kind is Kind.APPOINTMENT:
        return f"预约编号 {appointment_no(int(f[0]))}，{payload.day:%Y-%m-%d} {f[2][:2]}:{f[2][2:]}"
    if payload.kind is Kind.HANDOUT:
        return f"办件 {f[0]}，发放记录 {f[1]}，{payload.day:%Y-%m-%d}"
    return f"办件 {f[0]}，{payload.day:%Y-%m-%d}"


def scan_images(settings: Settings, images: list[Path]) -> int:
    """``hallterm scan IMAGE…``: every QR code and barcode found, and what it is."""
    # lazy: pyzbar (libzbar) and Pillow load only for this command
    from hallterm.scanning import ZbarMissing, decode_files

    try:
        results = decode_files(images)
    except ZbarMissing as exc:
        raise CliError(str(exc), 3) from None
    empty = 0
    for image, found in results:
        path = visible(str(image))  # a file name is data too (issue 16 point 2)
        if isinstance(found, Exception):
            print(f"{path}：{visible(str(found))}")
            empty += 1
            continue
        if not found:
            print(f"{path}：没有找到二维码或条码（请换一张更清晰、更正、离得更近的照片）")
            empty += 1
            continue
        for code in found:
            encoding = "" if code.encoding == "ascii" else f"（{code.encoding}）"
            # Decoded text is whatever the code holds: shown escaped, never obeyed (issue 16 point 2).
            print(f"{path}：{code.symbology} {visible(code.text)}{encoding}")
            print(f"  → {describe(code.text, settings) if code.encoding != 'binary' else '二进制数据，不是文本'}")
    return 1 if empty else 0
