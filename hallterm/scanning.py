"""Decoding QR codes and barcodes in images (a photographed card, a scanned slip) with pyzbar.

zbar guesses the text encoding of QR codes and transcodes to UTF-8 — often wrongly: UTF-8 Chinese
comes back as Shift-JIS or Big5 mojibake (research/printing.md §2: 61 of 209 strings). Here zbar
runs in binary mode (``ZBAR_CFG_BINARY``, zbar ≥ 0.23), so it hands back the bytes as printed and
they are decoded here: UTF-8 first, then GB18030 (what Chinese issuers that are not UTF-8 use).
The hall's own payloads are ASCII and unaffected either way.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from ctypes import c_void_p, cast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from hallterm.domain.errors import Refused

ZBAR_CFG_BINARY = 4  # zbar.h: ZBAR_CFG_ENABLE 0, ADD_CHECK 1, EMIT_CHECK 2, ASCII 3, BINARY 4
ZBAR_INSTALL = "sudo apt-get install libzbar0"
# Issue 16 point 11: an 81-megapixel PNG of 28 KB took 454 MB to decode, and a larger one ended in
# Pillow's DecompressionBombError. 40 megapixels hold a full-size photo of a 40 MP phone camera; a
# slip or a card needs far fewer. The size is read from the header, before any pixel is decoded.
MAX_PIXELS = 40_000_000


class ZbarMissing(Refused, RuntimeError):
    """libzbar is not installed; ``str()`` is the Chinese message."""


class ImageUnreadable(Refused, ValueError):
    """The file is not an image that can be opened; ``str()`` is the Chinese message."""


@dataclass(frozen=True)
class Found:
    """One code found in an image."""

    symbology: str  # QRCODE, EAN13, CODE128 …
    data: bytes  # as printed
    text: str  # decoded (or the bytes in hex when they are no text)
    encoding: str  # ascii | utf-8 | gb18030 | binary
    rect: tuple[int, int, int, int]  # left, top, width, height


def _zbar() -> Any:
    try:
        from pyzbar import pyzbar  # lazy: it loads libzbar, which may be missing; that is a message, not a crash
    except ImportError as exc:  # pyzbar raises ImportError("Unable to find zbar shared library")
        raise ZbarMissing(f"找不到条码识别库 libzbar（{exc}）。请安装：{ZBAR_INSTALL}") from exc
    return pyzbar


def decode_text(data: bytes) -> tuple[str, str]:
    if data.isascii():
        return data.decode("ascii"), "ascii"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.hex(" "), "binary"


def _scan(pyzbar: Any, image: Image.Image) -> list[Any]:
    """pyzbar's decode, with zbar told to return the raw bytes of QR codes (binary mode)."""
    # lazy: pyzbar's modules load libzbar, which may be missing (_zbar has said so by now)
    from pyzbar.pyzbar_error import PyZbarError
    from pyzbar.wrapper import (
        ZBarSymbol,
        zbar_image_scanner_set_config,
        zbar_image_set_data,
        zbar_image_set_format,
        zbar_image_set_size,
        zbar_scan_image,
    )

    gray = image.convert("L")
    pixels = gray.tobytes()
    width, height = gray.size
    with pyzbar._image_scanner() as scanner:
        zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, ZBAR_CFG_BINARY, 1)
        with pyzbar._image() as img:
            zbar_image_set_format(img, pyzbar._FOURCC["L800"])
            zbar_image_set_size(img, width, height)
            # ctypes passes bytes as a char pointer at run time; typeshed's cast() lists ctypes objects only
            zbar_image_set_data(img, cast(pixels, c_void_p), len(pixels), None)  # type: ignore[arg-type]
            if zbar_scan_image(scanner, img) < 0:
                raise PyZbarError("Unsupported image format")
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(img)))


def decode_image(image: Image.Image) -> list[Found]:
    """Every code zbar finds in ``image``; a second, contrast-stretched and enlarged pass if none."""
    pyzbar = _zbar()
    results = _scan(pyzbar, image)
    if not results:  # a dim photo or a small code: stretch the contrast and double the size
        boosted = ImageOps.autocontrast(image.convert("L"))
        if max(boosted.size) < 1600:
            boosted = boosted.resize((boosted.width * 2, boosted.height * 2), Image.Resampling.LANCZOS)
        results = _scan(pyzbar, boosted)
        scale = boosted.width / image.width
    else:
        scale = 1.0
    found = []
    seen: set[tuple[str, bytes]] = set()
    for r in results:
        if (r.type, r.data) in seen:
            continue
        seen.add((r.type, r.data))
        text, encoding = decode_text(r.data)
        left, top, width, height = (round(v / scale) for v in r.rect)
        found.append(Found(str(r.type), bytes(r.data), text, encoding, (left, top, width, height)))
    return found


def _too_big(path: Path, size: tuple[int, int] | None) -> ImageUnreadable:
    what = f"（{size[0]}×{size[1]}，约 {size[0] * size[1] // 10_000} 万像素）" if size else ""
    return ImageUnreadable(f"图片 {path} 太大{what}，超过 {MAX_PIXELS // 10_000} 万像素的上限，未识别："
                           "请裁剪出二维码或条码所在的部分，或缩小后再识别")


def open_image(path: Path) -> Image.Image:
    """The image, refused before decoding when it has more than MAX_PIXELS pixels."""
    try:
        with warnings.catch_warnings():  # Pillow's own bomb warning: refused below with our message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise _too_big(path, img.size)
                img.load()
                return ImageOps.exif_transpose(img)
    except Image.DecompressionBombError:  # past twice Pillow's limit: refused by Image.open itself
        raise _too_big(path, None) from None
    except FileNotFoundError:
        raise ImageUnreadable(f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise ImageUnreadable(f"{path} 是目录，不是图片") from None
    except UnidentifiedImageError:
        raise ImageUnreadable(f"{path} 不是可识别的图片（支持 PNG、JPEG、BMP、GIF、TIFF 等）") from None
    except OSError as exc:
        raise ImageUnreadable(f"无法读取图片 {path}：{exc.strerror or exc}") from None


def decode_files(paths: Sequence[Path]) -> list[tuple[Path, list[Found] | ImageUnreadable]]:
    """Each file with what was found in it, or why it could not be read (ZbarMissing is raised)."""
    _zbar()  # say that libzbar is missing once, before any file
    out: list[tuple[Path, list[Found] | ImageUnreadable]] = []
    for path in paths:
        try:
            out.append((path, decode_image(open_image(path))))
        except ImageUnreadable as exc:
            out.append((path, exc))
    return out
