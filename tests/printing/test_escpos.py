"""ESC/POS bytes through python-escpos (Dummy), and sending them to a network thermal printer."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest
from escpos.exceptions import ImageWidthError
from PIL import Image

from hallterm.config import PrintingSettings, Settings
from hallterm.domain.payloads import Keyring
from hallterm.printing import slip_layouts, thermal
from hallterm.printing.backends import Escpos, PrintFailed, Spool
from hallterm.printing.jobs import slip_job
from hallterm.printing.samples import sample_slips
from tests.printing.conftest import NOW_LOCAL, Printer

INIT = b"\x1b@"
CUT = b"\x1dV\x00"


@pytest.mark.parametrize("width", [384, 576])
def test_a_slip_becomes_init_raster_image_and_cut(ring: Keyring, width: int) -> None:
    ticket = sample_slips(ring, NOW_LOCAL)[0]
    image = slip_layouts.render(ticket, width)
    data = thermal.escpos_bytes(image, width)
    assert data.startswith(INIT)
    # GS v 0, normal density, width in bytes (low, high), then the height of the first fragment.
    header = b"\x1dv0\x00" + (width // 8).to_bytes(2, "little")
    assert header in data
    assert data.rstrip(b"\n").endswith(CUT) or CUT in data[-16:]
    assert b"GB18030" not in data and "号".encode("gb18030") not in data  # the image, never text
    # All the image's dots are there: width/8 bytes per row for every row (split in fragments).
    rows = image.height
    assert len(data) > (width // 8) * rows


def test_the_same_bytes_come_out_of_the_dummy_printer_directly(ring: Keyring) -> None:
    from escpos.printer import Dummy

    image = slip_layouts.render(sample_slips(ring, NOW_LOCAL)[0], 576)
    dummy = Dummy()
    dummy.profile.profile_data = {**dummy.profile.profile_data, "media": {"width": {"pixels": 576}}}
    dummy.hw("INIT")
    dummy.image(image, impl="bitImageRaster", center=False)
    dummy.cut()
    assert thermal.escpos_bytes(image, 576) == dummy.output


def test_an_image_wider_than_the_paper_is_refused() -> None:
    with pytest.raises(ImageWidthError):
        thermal.escpos_bytes(Image.new("1", (576, 40), 1), 384)


def test_no_warning_is_printed_on_stdout(ring: Keyring, capsys: pytest.CaptureFixture[str]) -> None:
    """python-escpos prints about a profile without a width: that would land in the terminal UI."""
    thermal.escpos_bytes(slip_layouts.render(sample_slips(ring, NOW_LOCAL)[0], 576), 576)
    assert capsys.readouterr().out == ""


def escpos_settings(port: int) -> PrintingSettings:
    return PrintingSettings(backend="escpos", escpos_connection="network", escpos_host="127.0.0.1",
                            escpos_port=port, escpos_timeout_s=5)


def test_the_spooled_bytes_reach_a_network_printer_unchanged(ring: Keyring, tmp_path: Path) -> None:
    listener = Printer()
    job = slip_job(sample_slips(ring, NOW_LOCAL)[0], "t", width=576)
    spooled = Spool(tmp_path).write(job, NOW_LOCAL.date())
    message = Escpos(escpos_settings(listener.port)).send(job, spooled)
    assert listener.close() == job.escpos == spooled.read("escpos")
    assert "127.0.0.1" in message


def test_a_printer_that_refuses_the_connection_fails_and_the_slip_stays_in_the_spool(ring: Keyring,
                                                                               tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    job = slip_job(sample_slips(ring, NOW_LOCAL)[0], "t", width=576)
    spooled = Spool(tmp_path).write(job, NOW_LOCAL.date())
    with pytest.raises(PrintFailed) as info:
        Escpos(escpos_settings(port)).send(job, spooled)
    assert str(info.value).startswith("打印机未连接") and "Errno" not in str(info.value)
    assert info.value.detail.startswith(f"网络打印机 127.0.0.1:{port}：连接被拒绝")
    assert "已保存到" in str(info.value) and "补打" in str(info.value)
    assert spooled.exists()


def test_a_notice_is_not_sent_to_the_thermal_printer(tmp_path: Path, settings: Settings) -> None:
    from hallterm.printing.jobs import notice_job
    from hallterm.printing.samples import sample_notices

    job = notice_job(sample_notices(NOW_LOCAL.date())[0], "n")
    spooled = Spool(tmp_path).write(job, NOW_LOCAL.date())
    with pytest.raises(PrintFailed) as info:
        Escpos(dataclasses.replace(settings.printing, backend="escpos", escpos_host="x")).send(job, spooled)
    assert "热敏打印机不能打印" in str(info.value)
