"""ESC/POS bytes for thermal receipt printers, through python-escpos.

Every slip goes to the printer as the rendered image (``GS v 0`` raster), never as text: one path
that works on every ESC/POS printer, whatever its code pages or resident fonts (python-escpos sends
hanzi as raw GB18030 with no mode switch; research/printing.md §4). The same bytes are kept in the
spool folder, so a slip can be replayed with ``cat x.escpos > /dev/usb/lp0`` or ``nc printer 9100``.
"""

from __future__ import annotations

import copy
from typing import Any

from PIL import Image

from hallterm.config import PrintingSettings


class PrinterUnavailable(Exception):
    """The thermal printer could not be reached; ``str()`` is the Chinese message."""


def _with_width(printer: Any, width: int) -> Any:
    # The generic profile has no paper width: python-escpos then prints a warning on stdout (which
    # would land in the terminal UI) and cannot refuse an image wider than the paper. Each printer
    # gets its own copy of the profile data with the width set.
    data = copy.deepcopy(printer.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = width
    printer.profile.profile_data = data
    return printer


def escpos_bytes(image: Image.Image, width: int, profile: str = "") -> bytes:
    """Initialise, print ``image`` as a raster, feed and cut: the whole job as bytes."""
    from escpos.printer import Dummy

    printer = _with_width(Dummy(profile=profile or None), width)
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster", center=False)
    printer.cut()
    return bytes(printer.output)


def open_printer(settings: PrintingSettings) -> Any:
    """A python-escpos printer for the configured connection (not yet opened)."""
    profile = settings.escpos_profile or None
    if settings.escpos_connection == "network":
        from escpos.printer import Network

        printer = Network(settings.escpos_host, settings.escpos_port, timeout=settings.escpos_timeout_s,
                          profile=profile)
    elif settings.escpos_connection == "serial":
        from escpos.printer import Serial

        printer = Serial(settings.escpos_serial_port, baudrate=settings.escpos_serial_baudrate,
                         timeout=settings.escpos_timeout_s, profile=profile)
    else:
        from escpos.printer import Usb

        printer = Usb(int(settings.escpos_usb_vendor, 16), int(settings.escpos_usb_product, 16),
                      timeout=settings.escpos_timeout_s * 1000, profile=profile)
    return _with_width(printer, settings.width_px)


def where(settings: PrintingSettings) -> str:
    if settings.escpos_connection == "network":
        return f"网络打印机 {settings.escpos_host}:{settings.escpos_port}"
    if settings.escpos_connection == "serial":
        return f"串口打印机 {settings.escpos_serial_port}"
    return f"USB 打印机 {settings.escpos_usb_vendor}:{settings.escpos_usb_product}"


def send(settings: PrintingSettings, data: bytes) -> None:
    """Send the spooled bytes to the thermal printer; raise PrinterUnavailable with what went wrong."""
    try:
        printer = open_printer(settings)
        try:
            printer.open()
            printer._raw(data)  # the bytes kept in the spool, unchanged (python-escpos's raw write)
        finally:
            printer.close()
    except Exception as exc:  # python-escpos raises DeviceNotFoundError, USB, serial and socket errors
        raise PrinterUnavailable(f"{where(settings)}无法打印：{_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    text = " ".join(str(exc).split())
    if name == "NoBackendError":
        return "找不到 libusb（请安装 libusb-1.0-0）"
    if "usb library" in text.lower():
        return "缺少 USB 支持库（pip install pyusb）"
    if name == "DeviceNotFoundError" or isinstance(exc, ConnectionError | TimeoutError | OSError):
        return f"打印机未连接、未开机或地址有误（{name}：{text[:160]}）"
    return f"{name}：{text[:200]}"
