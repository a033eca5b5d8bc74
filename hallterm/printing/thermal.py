"""ESC/POS bytes for thermal receipt printers, through python-escpos.

Every slip goes to the printer as the rendered image (``GS v 0`` raster), never as text: one path
that works on every ESC/POS printer, whatever its code pages or resident fonts (python-escpos sends
hanzi as raw GB18030 with no mode switch; research/printing.md §4). The same bytes are kept in the
spool folder, so a slip can be replayed with ``cat x.escpos > /dev/usb/lp0`` or ``nc printer 9100``.
"""

from __future__ import annotations

import copy
import errno
import os
import re
import socket
import struct
import time
from typing import Any

from PIL import Image

from hallterm.config import PrintingSettings
from hallterm.domain.errors import Refused


class PrinterUnavailable(Refused):
    """The thermal printer could not be reached; ``str()`` is what the clerk reads (what is wrong, what
    to do), ``detail`` what a technician needs: the printer's address, the setting, the system's words."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


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
    from escpos.printer import Dummy  # lazy: python-escpos takes ~0.3 s to import

    printer = _with_width(Dummy(profile=profile or None), width)
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster", center=False)
    printer.cut()
    return bytes(printer.output)


def open_printer(settings: PrintingSettings) -> Any:
    """A python-escpos printer for the configured connection (not yet opened)."""
    profile = settings.escpos_profile or None
    if settings.escpos_connection == "network":
        from escpos.printer import Network  # lazy: python-escpos takes ~0.3 s to import

        printer = Network(settings.escpos_host, settings.escpos_port, timeout=settings.escpos_timeout_s,
                          profile=profile)
    elif settings.escpos_connection == "serial":
        from escpos.printer import Serial  # lazy: python-escpos takes ~0.3 s; Serial also needs pyserial

        printer = Serial(settings.escpos_serial_port, baudrate=settings.escpos_serial_baudrate,
                         timeout=settings.escpos_timeout_s, profile=profile)
    else:
        from escpos.printer import Usb  # lazy: python-escpos takes ~0.3 s; Usb also needs pyusb

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
    """Send the spooled bytes to the thermal printer; raise PrinterUnavailable with what went wrong.

    Returns only once the printer has taken every byte: for a network printer its TCP stack has
    acknowledged them, for a serial one the port's output queue is empty. Each step is bounded by
    ``escpos_timeout_s`` (a serial port also gets the time the bytes need at its baud rate), so a
    printer that is out of paper or hung never blocks the desk.
    """
    printer: Any = None
    device: Any = None
    delivered = False
    stage = "open"
    budget_s = float(settings.escpos_timeout_s)
    try:
        printer = open_printer(settings)
        printer.open()
        device = printer.device
        if device is None:  # python-escpos under ``python -O``: its "not found" check is an assert
            raise LookupError("device not found")
        stage = "write"
        if settings.escpos_connection == "network":
            _send_socket(device, data, time.monotonic() + budget_s)
        elif settings.escpos_connection == "serial":
            budget_s = serial_budget_s(settings, len(data))
            _send_serial(device, data, time.monotonic() + budget_s)
        else:
            printer._raw(data)  # the bytes kept in the spool, unchanged (python-escpos's raw write)
        delivered = True
    except Exception as exc:  # python-escpos raises DeviceNotFoundError, USB, serial and socket errors
        clerk, technician = _reason(exc, settings, stage, budget_s)
        raise PrinterUnavailable(clerk, f"{where(settings)}：{technician}") from exc
    finally:
        if printer is not None:
            _close(printer, device, settings, delivered)


def serial_budget_s(settings: PrintingSettings, size: int) -> float:
    """The timeout plus the time ``size`` bytes take on the wire (10 bits a byte: start, 8, stop).

    A 58 KB slip needs about a minute at 9600 baud: a flat timeout would fail every slip.
    """
    return settings.escpos_timeout_s + size * 10 / settings.escpos_serial_baudrate


def _send_socket(sock: socket.socket, data: bytes, deadline: float) -> None:
    sock.settimeout(max(deadline - time.monotonic(), 0.01))
    sock.sendall(data)  # the timeout bounds the whole call (Python >= 3.5), not each chunk
    # sendall returns once the bytes are in this machine's send buffer: a printer that accepts the
    # connection and then stops reading (no paper, cover open, hung firmware) would count as
    # printed. Wait until its TCP stack has acknowledged everything that was sent.
    while True:
        # A printer that hangs up resets the connection: the queue then never empties (or, on
        # other kernels, is purged), so the socket's pending error is checked on every round.
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error:
            raise OSError(error, os.strerror(error))
        if _unacknowledged(sock.fileno()) == 0:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError("the printer did not take the data")
        time.sleep(0.02)


def _send_serial(port: Any, data: bytes, deadline: float) -> None:
    # python-escpos opens the port without a write timeout: a printer that holds the line (flow
    # control, no paper) or a port nobody reads would block the write, and the desk, forever.
    port.write_timeout = max(deadline - time.monotonic(), 0.01)
    port.write(data)
    while port.out_waiting > 0:  # still in the UART's queue, not yet on the wire
        if time.monotonic() >= deadline:
            raise TimeoutError("the printer did not take the data")
        time.sleep(0.02)


def _unacknowledged(fd: int) -> int:
    """Bytes sent on a TCP socket that the peer has not acknowledged (Linux SIOCOUTQ); 0 if unknown."""
    try:
        # lazy: Linux/Unix only; elsewhere the count is unknown (0)
        import fcntl
        import termios

        return int(struct.unpack("i", fcntl.ioctl(fd, termios.TIOCOUTQ, b"\0" * 4))[0])
    except (ImportError, AttributeError, OSError):
        return 0


def _close(printer: Any, device: Any, settings: PrintingSettings, delivered: bool) -> None:
    """Close the connection without waiting on the printer; never raise."""
    try:
        if device is None:
            printer.close()
        elif settings.escpos_connection == "network":
            if not delivered:
                # Reset the connection instead of a graceful close: the kernel would otherwise keep
                # sending the rest of the slip for minutes, and a printer that recovers would print
                # it after the desk was told it failed and reprinted it, giving a duplicate ticket.
                device.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            device.close()
        elif settings.escpos_connection == "serial":
            if not delivered:
                device.reset_output_buffer()  # drop the rest of the slip for the same reason
            # Not python-escpos's close(): it drains the port first (tcdrain), which never returns
            # when the printer is not reading.
            device.close()
        else:
            printer.close()
    except Exception:  # the outcome is already decided: an error while closing must not replace it
        pass
    finally:
        # python-escpos closes again on garbage collection, with the draining close(): nothing left.
        printer.device = None


def _reason(exc: BaseException, settings: PrintingSettings, stage: str,
            budget_s: float) -> tuple[str, str]:
    """What went wrong, from the exception python-escpos raised or the one it wrapped: the clerk's line
    (what it is, what to do; no English, no setting names) and the technician's (the setting to check,
    the system's own words)."""
    cause = (exc.__cause__ or exc.__context__) if type(exc).__name__ == "DeviceNotFoundError" else None
    err = cause or exc
    name = type(err).__name__
    text = " ".join(str(err).split())
    code = getattr(err, "errno", None) or _errno_in(text)
    detail = f"{name}: {text[:160]}"
    admin = "；仍不行请联系管理员"
    if name == "NoBackendError":
        return "打印机无法使用：本机缺少 USB 打印支持，请联系管理员", f"找不到 libusb（请安装 libusb-1.0-0）；{detail}"
    if "usb library" in text.lower():
        return "打印机无法使用：本机缺少 USB 打印支持，请联系管理员", f"缺少 USB 支持库（pip install pyusb）；{detail}"
    timed_out = isinstance(err, TimeoutError) or name in {"SerialTimeoutException", "USBTimeoutError"}
    if stage == "write" and timed_out:
        return (f"打印机没有响应：{budget_s:.0f} 秒内没有收完数据，可能缺纸、卡纸、开盖或死机；"
                "已中断发送，请检查打印机后补打"), detail
    if settings.escpos_connection == "network":
        if stage == "write":
            return "打印机在接收途中断开了连接，请检查打印机和网线后补打", detail
        if isinstance(err, socket.gaierror):
            return (f"打印机未连接：找不到打印机的网络地址{admin}",
                    f"无法解析打印机地址 {settings.escpos_host}，请检查 escpos_host；{detail}")
        if isinstance(err, ConnectionRefusedError) or code == errno.ECONNREFUSED:
            return (f"打印机未连接：打印机可能未开机，请检查打印机电源和网线后补打{admin}",
                    f"连接被拒绝：端口 {settings.escpos_port} 没有打印服务，或 escpos_host、escpos_port 有误；{detail}")
        if timed_out:
            return (f"打印机未连接：{settings.escpos_timeout_s} 秒内连不上，请检查打印机电源和网线后补打{admin}",
                    f"连接超时：打印机未开机、网线未接或 escpos_host 有误；{detail}")
        return (f"打印机未连接：请检查打印机电源和网线后补打{admin}",
                f"连不上打印机：打印机未开机、网线未接或 escpos_host、escpos_port 有误；{detail}")
    if settings.escpos_connection == "serial":
        port = settings.escpos_serial_port
        if stage == "write":
            return "打印机连接中断：串口线或 USB 转串口线可能被拔出，请检查连接后补打", detail
        if code == errno.ENOENT:
            return (f"打印机未连接：请检查打印机的串口线或 USB 转串口线是否插好，然后补打{admin}",
                    f"串口 {port} 不存在：检查连线和 escpos_serial_port；{detail}")
        if code == errno.EACCES:
            return ("打印机无法使用：本机没有使用打印机串口的权限，请联系管理员",
                    f"没有权限打开串口 {port}：请把运行 hallterm 的用户加入 dialout 组；{detail}")
        if code == errno.EBUSY:
            return "打印机被其他程序占用：请关闭其他打印程序后补打", f"串口 {port} 被其他程序占用；{detail}"
        return (f"打印机未连接：请检查打印机的串口线后补打{admin}",
                f"打不开串口 {port}：检查串口线和 escpos_serial_port；{detail}")
    if stage == "write":
        return "打印机连接中断：USB 线可能被拔出，请检查连接后补打", detail
    if code == errno.EACCES or "access denied" in text.lower():
        return ("打印机无法使用：本机没有使用 USB 打印机的权限，请联系管理员",
                f"没有权限使用 USB 打印机：需要 udev 规则或把用户加入 lp 组；{detail}")
    if isinstance(err, AssertionError | LookupError) or "not found" in text.lower():
        return (f"打印机未连接：请检查打印机的 USB 线和电源后补打{admin}",
                f"找不到 USB 打印机 {settings.escpos_usb_vendor}:{settings.escpos_usb_product}：检查 USB 线、"
                f"打印机电源，以及 escpos_usb_vendor、escpos_usb_product（lsusb 可查看）；{detail}")
    return f"打印机无法使用：请检查打印机后补打{admin}", f"USB 打印机无法使用；{detail}"


def _errno_in(text: str) -> int | None:
    # pyserial folds the errno of a failed write into the message: "write failed: [Errno 5] ..."
    match = re.search(r"\[Errno (\d+)\]", text)
    return int(match.group(1)) if match else None
