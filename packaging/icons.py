"""Render the app icon for packaging: freedesktop hicolor PNGs, a Windows .ico and a macOS .iconset.

Usage: ``python packaging/icons.py OUTDIR [--svg PATH]``. It writes

- ``OUTDIR/hicolor/{N}x{N}/apps/APP_ID.png`` for every N in SIZES and ``OUTDIR/hicolor/scalable/apps/APP_ID.svg``
  (install under ``/usr/share/icons/`` in a .deb);
- ``OUTDIR/topic-inspector.ico`` (PyInstaller's ``--icon`` on Windows): one PNG image per size in ICO_SIZES,
  the ICO layout Windows reads since Vista;
- ``OUTDIR/topic-inspector.iconset/`` in ``iconutil`` layout: on macOS, ``iconutil -c icns`` turns it into
  ``topic-inspector.icns``.

The source is ``resources/icons/topic-inspector.svg``, drawn by QtSvg (an SVG Tiny 1.2 renderer): no filters,
masks, clip paths or CSS. Any warning Qt gives while reading or drawing it stops the script.

Qt is imported only when rendering starts, so the constants can be read without it (the tests do).
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
import xml.parsers.expat
from collections.abc import Iterable, Sequence
from pathlib import Path

APP_ID = "io.github.topicinspector.TopicInspector"
"""The reverse-DNS application id: the desktop file, AppStream metainfo and theme icon name."""

SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)
"""The hicolor PNG sizes (pixels, square)."""

ICO_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)
"""The images in the Windows .ico."""

ICONSET: dict[str, int] = {
    f"icon_{base}x{base}{suffix}.png": base * scale
    for base in (16, 32, 128, 256, 512)
    for suffix, scale in (("", 1), ("@2x", 2))
}
"""The macOS iconset's file names and their pixel sizes, as ``iconutil -c icns`` expects them."""

ICO_NAME = "topic-inspector.ico"
ICONSET_NAME = "topic-inspector.iconset"

REPO = Path(__file__).resolve().parent.parent
SVG = REPO / "resources" / "icons" / "topic-inspector.svg"


UNSUPPORTED_ELEMENTS = frozenset({"filter", "mask", "clipPath", "pattern", "style"})
"""Elements outside SVG Tiny 1.2: a Tiny renderer skips them without a word, so the icon would differ by renderer."""

UNSUPPORTED_ATTRIBUTES = frozenset({"class", "style", "filter", "mask", "clip-path"})
"""CSS hooks and the effects above; use plain presentation attributes (fill, stroke, opacity) instead."""

_qt_app: list[object] = []  # the QGuiApplication this module made, kept alive for later renders


class IconError(Exception):
    """The icon cannot be made; the message says what is wrong, where, and how to fix it."""


def check_svg_source(svg: Path) -> None:
    """Refuse a file that is not well-formed XML or that uses what an SVG Tiny 1.2 renderer may not draw."""
    problems: list[str] = []
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        where = f"{svg}:{parser.CurrentLineNumber}"
        if tag in UNSUPPORTED_ELEMENTS:
            problems.append(f"{where}: <{tag}> element")
        problems.extend(
            f"{where}: {attribute.rpartition(' ')[2]}=... attribute on <{tag}>"
            for attribute in attributes
            if attribute.rpartition(" ")[2] in UNSUPPORTED_ATTRIBUTES
        )

    parser.StartElementHandler = start
    try:
        parser.Parse(svg.read_bytes(), True)
    except xml.parsers.expat.ExpatError as error:
        raise IconError(
            f"{svg}:{error.lineno}: not well-formed XML ({xml.parsers.expat.errors.messages[error.code]}).\n"
            "Fix the file and run this script again."
        ) from error
    if problems:
        raise IconError(
            f"{svg} uses CSS or effects outside SVG Tiny 1.2, which QtSvg's Tiny renderer skips:\n  "
            + "\n  ".join(problems)
            + "\nDraw it with plain shapes and paths, fill/stroke/opacity attributes and gradients, "
            "then run this script again."
        )


def _render_all(svg: Path, sizes: Iterable[int]) -> dict[int, bytes]:
    """Draw ``svg`` once per size into a transparent, antialiased square image; PNG bytes by size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import (
        QBuffer,
        QByteArray,
        QIODevice,
        QMessageLogContext,
        QRectF,
        Qt,
        QtMsgType,
        qInstallMessageHandler,
    )
    from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer, QtSvg

    if QGuiApplication.instance() is None:
        _qt_app.append(QGuiApplication([sys.argv[0] if sys.argv else "icons.py"]))
    messages: list[str] = []
    problems = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)

    def collect(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind in problems:
            messages.append(message)

    previous = qInstallMessageHandler(collect)
    try:
        renderer = QSvgRenderer()
        renderer.setOptions(QtSvg.Option.Tiny12FeaturesOnly)  # draw what any SVG Tiny 1.2 renderer would
        if not renderer.load(str(svg)) or not renderer.isValid():
            details = "".join(f"\n  Qt: {m}" for m in messages)
            raise IconError(
                f"{svg}: QtSvg cannot read this file as SVG.{details}\n"
                "Fix the file (it must be well-formed SVG that QtSvg's SVG Tiny 1.2 renderer accepts) "
                "and run this script again."
            )
        pngs: dict[int, bytes] = {}
        for size in sorted(set(sizes)):
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            image = image.convertToFormat(QImage.Format.Format_ARGB32)
            alpha = bytes(image.constBits())[3::4] if sys.byteorder == "little" else bytes(image.constBits())[0::4]
            if not any(alpha):
                raise IconError(
                    f"{svg}: drawn at {size}x{size} px it is completely transparent, so the icon would be empty.\n"
                    "QtSvg draws SVG Tiny 1.2 only and silently skips what it does not support (filters, masks, "
                    "CSS classes, shapes outside the viewBox). Make the shapes use plain fill/stroke attributes "
                    "inside viewBox 0 0 512 512, then run this script again."
                )
            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            writer = QImageWriter(buffer, QByteArray(b"png"))
            if not writer.write(image):
                raise IconError(
                    f"Qt could not encode the {size}x{size} image as PNG: {writer.errorString()}.\n"
                    "Reinstall PySide6 (its image format plugins may be missing) and run this script again."
                )
            buffer.close()
            pngs[size] = bytes(data.data())
    finally:
        qInstallMessageHandler(previous)
    if messages:
        details = "".join(f"\n  Qt: {m}" for m in messages)
        raise IconError(
            f"{svg}: QtSvg warned while drawing it, so the icon may not look as designed:{details}\n"
            "Use only what SVG Tiny 1.2 has (plain shapes, paths, fill/stroke attributes, gradients) and run "
            "this script again."
        )
    return pngs


def ico_bytes(pngs: dict[int, bytes], sizes: Sequence[int] = ICO_SIZES) -> bytes:
    """An ICO file whose images are the given PNGs (Windows Vista and later read PNG entries)."""
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries: list[bytes] = []
    for size in sizes:
        png = pngs[size]
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO image is 1 to 256 px wide, not {size}")
        side = 0 if size == 256 else size  # the byte field records 256 as 0
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset))
        offset += len(png)
    return header + b"".join(entries) + b"".join(pngs[size] for size in sizes)


def write_icons(outdir: Path, svg: Path = SVG) -> list[Path]:
    """Render ``svg`` and write every packaging icon under ``outdir``; the files written."""
    if not svg.is_file():
        raise IconError(
            f"The icon source {svg} does not exist.\n"
            "It is resources/icons/topic-inspector.svg in the repository: restore it "
            "(git checkout -- resources/icons/topic-inspector.svg) or pass --svg PATH to another SVG."
        )
    check_svg_source(svg)
    pngs = _render_all(svg, (*SIZES, *ICO_SIZES, *ICONSET.values()))
    written: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    for size in SIZES:
        write(outdir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png", pngs[size])
    scalable = outdir / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    write(outdir / ICO_NAME, ico_bytes(pngs))
    for name, size in ICONSET.items():
        write(outdir / ICONSET_NAME / name, pngs[size])
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="icons.py", description="Render the Topic Inspector icon for Linux, Windows and macOS packages."
    )
    parser.add_argument("outdir", type=Path, help="folder to write hicolor/, the .ico and the .iconset into")
    parser.add_argument("--svg", type=Path, default=SVG, help=f"the icon source (default: {SVG})")
    args = parser.parse_args(argv)
    try:
        written = write_icons(args.outdir, args.svg)
    except (IconError, OSError) as error:
        print(f"icons.py: error: {error}", file=sys.stderr)
        return 1
    print(f"icons.py: wrote {len(written)} files under {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
