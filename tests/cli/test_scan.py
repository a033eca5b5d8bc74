"""``hallterm scan IMAGE…``: pyzbar in binary mode, what each code is, clear failures (issue 6, point 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import qrcode
from PIL import Image, ImageFile

from hallterm import scanning
from hallterm.cli import main
from hallterm.domain.payloads import Keyring, ticket_payload
from hallterm.services.signing import load_keyring

DAY_TEXT = "20261126"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HALLTERM_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    monkeypatch.setenv("HALLTERM_DB_URL", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    return tmp_path


def qr_png(path: Path, data: str | bytes) -> Path:
    qrcode.make(data).save(path)
    return path


def hall_ring(folder: Path) -> Keyring:
    from hallterm.config import load_settings

    settings = load_settings()
    ring = load_keyring(settings.signing, region=settings.hall.region_code)
    assert ring is not None and (folder / "signing.key").is_file()
    return ring


def test_a_hall_slip_is_decoded_and_its_signature_checked(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    payload = ticket_payload(dt.date(2026, 11, 26), "A017", hall_ring(env))
    assert main(["scan", str(qr_png(env / "slip.png", payload))]) == 0
    out = capsys.readouterr().out
    assert f"QRCODE {payload}" in out
    assert "本大厅排队票（A017，2026-11-26），签名有效（密钥 K1）" in out


def test_a_forged_slip_is_reported(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    hall_ring(env)
    forged = ticket_payload(dt.date(2026, 11, 26), "A017",
                            Keyring("K1", {"K1": b"not-the-halls-secret-0123456789a"}, region="210300"))
    assert main(["scan", str(qr_png(env / "forged.png", forged))]) == 0
    assert "校验失败" in capsys.readouterr().out


def test_other_issuers_chinese_payloads_are_not_garbled(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """zbar's default mode turned this string into Shift-JIS mojibake (research/printing.md §2)."""
    text = "A017 请到3号窗口办理"
    gbk = "鞍山市政务服务中心"
    assert main(["scan", str(qr_png(env / "utf8.png", text)), str(qr_png(env / "gbk.png", gbk.encode("gb18030")))]) == 0
    out = capsys.readouterr().out
    assert f"QRCODE {text}（utf-8）" in out
    assert f"QRCODE {gbk}（gb18030）" in out
    assert "其他二维码或条码（非本大厅签发）" in out


def test_binary_mode_decodes_many_chinese_strings_exactly() -> None:
    import random

    rng = random.Random(212)  # mchehab/zbar#212: UTF-8 is the encoding zbar tries last
    for _ in range(40):
        text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 14)))
        found = scanning.decode_image(qrcode.make(text).get_image())
        assert [(f.text, f.encoding) for f in found] == [(text, "utf-8")]


def test_barcodes_and_card_numbers(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import barcode  # python-barcode, installed with python-escpos
    from barcode.writer import ImageWriter

    card = qr_png(env / "card.png", "https://rc.anshan.gov.cn/card?no=GD2022A000178")
    code128 = env / "code128.png"
    with code128.open("wb") as out:
        barcode.get("code128", "GD2022A000178", writer=ImageWriter()).write(out)
    assert main(["scan", str(card), str(code128)]) == 0
    out = capsys.readouterr().out
    assert out.count("钢都英才卡号 GD2022A000178（格式和校验位正确）") == 2
    assert "CODE128 GD2022A000178" in out


def test_nothing_found_and_unreadable_files_are_said_clearly(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = env / "blank.png"
    Image.new("L", (300, 200), 255).save(blank)
    text_file = env / "notes.txt"
    text_file.write_text("not an image")
    assert main(["scan", str(blank), str(text_file), str(env / "missing.jpg")]) == 1
    out = capsys.readouterr().out
    assert "blank.png：没有找到二维码或条码" in out
    assert "notes.txt 不是可识别的图片" in out
    assert "找不到文件" in out


def test_a_missing_libzbar_is_said_with_the_package_to_install(env: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise scanning.ZbarMissing("找不到条码识别库 libzbar（Unable to find zbar shared library）。请安装："
                                   + scanning.ZBAR_INSTALL)

    monkeypatch.setattr(scanning, "_zbar", missing)
    assert main(["scan", str(qr_png(env / "x.png", "X"))]) == 3
    err = capsys.readouterr().err
    assert "libzbar" in err and "apt-get install libzbar0" in err


def test_the_import_error_of_pyzbar_becomes_that_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "pyzbar":
            raise ImportError("Unable to find zbar shared library")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(scanning.ZbarMissing) as info:
        scanning.decode_image(Image.new("L", (10, 10), 255))
    assert "Unable to find zbar shared library" in str(info.value) and "libzbar0" in str(info.value)


def test_the_installed_command(env: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    environ.update(PYTHONUTF8="1", HALLTERM_SIGNING_KEY_FILE=str(env / "none.key"))
    done = subprocess.run([sys.executable, "-m", "hallterm", "scan", str(qr_png(env / "q.png", DAY_TEXT))],
                          capture_output=True, text=True, encoding="utf-8", env=environ, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"QRCODE {DAY_TEXT}" in done.stdout
    assert not (env / "none.key").exists()  # scanning never creates a key


def test_images_past_the_pixel_limit_are_refused_with_a_message_not_decoded(env: Path) -> None:
    """Issue 16 point 11: an 81-megapixel PNG of a few KB (454 MB to decode) and a 182-megapixel one
    (Pillow's DecompressionBombError traceback) are refused from their header, in Chinese; a real slip
    in the same run is still read."""
    big = env / "big.png"
    Image.new("1", (9000, 9000), 1).save(big)  # white, 81 MP, compresses to a few KB
    bomb = env / "bomb.png"
    Image.new("1", (13000, 14000), 1).save(bomb)  # 182 MP: past twice Pillow's own limit
    assert big.stat().st_size < 100_000 and bomb.stat().st_size < 300_000
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    environ.update(PYTHONUTF8="1", HALLTERM_SIGNING_KEY_FILE=str(env / "none.key"))
    done = subprocess.run([sys.executable, "-m", "hallterm", "scan", str(big), str(bomb),
                           str(qr_png(env / "q.png", DAY_TEXT))],
                          capture_output=True, text=True, encoding="utf-8", env=environ, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "DecompressionBomb" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith(f"{big}：图片 {big} 太大（9000×9000，约 8100 万像素），超过 4000 万像素的上限")
               for line in lines), done.stdout
    assert any(line.startswith(f"{bomb}：图片 {bomb} 太大") and "请裁剪" in line for line in lines), done.stdout
    assert f"QRCODE {DAY_TEXT}" in done.stdout


def test_the_pixel_limit_is_checked_before_any_pixel_is_decoded(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.png"
    Image.new("1", (8000, 5001), 1).save(big)  # 40,008,000 pixels: one row past the limit
    loaded: list[object] = []
    real_load = ImageFile.ImageFile.load  # what decodes a PNG's pixels
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loaded.append(self) or real_load(self))
    with pytest.raises(scanning.ImageUnreadable, match="超过 4000 万像素的上限"):
        scanning.open_image(big)
    assert loaded == []
    Image.new("1", (8000, 5000), 1).save(big)  # exactly the limit: read
    assert scanning.open_image(big).size == (8000, 5000)
