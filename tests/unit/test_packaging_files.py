"""The packaging files: the desktop entry, the AppStream metainfo and the icons packaging/icons.py renders.

Qt runs only in subprocesses here (packaging/icons.py imports it only when it renders). The validators are the
distributions' own tools; a missing one fails the test with the Debian package to install.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ICONS_SCRIPT = ROOT / "packaging" / "icons.py"
SVG = ROOT / "resources" / "icons" / "topic-inspector.svg"
LINUX = ROOT / "packaging" / "linux"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _load_icons() -> ModuleType:
    # By path: the folder is called "packaging", like the PyPI library, so it is not imported as a package.
    spec = importlib.util.spec_from_file_location("topic_inspector_packaging_icons", ICONS_SCRIPT)
    assert spec is not None, ICONS_SCRIPT
    assert spec.loader is not None, ICONS_SCRIPT
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


icons = _load_icons()
APP_ID: str = icons.APP_ID
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# Loads packaging/icons.py by path in a fresh interpreter and calls main(argv); exits with its status.
RUN_MAIN = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("icons", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.exit(module.main(json.loads(sys.argv[2])))
"""

# Decodes PNG files with Qt; prints each one's size and how many pixels are visible (alpha > 0) and clear.
PIXEL_PROBE = """
import json, sys
from PySide6.QtGui import QGuiApplication, QImage
app = QGuiApplication(sys.argv[:1])
result = {}
for name in sys.argv[1:]:
    image = QImage(name)
    if image.isNull():
        sys.exit(f"Qt cannot read {name}")
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    bits = bytes(image.constBits())
    alpha = bits[3::4] if sys.byteorder == "little" else bits[0::4]
    result[name] = {"width": image.width(), "height": image.height(),
                    "visible": len(alpha) - alpha.count(0), "clear": alpha.count(0)}
print(json.dumps(result))
"""


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: install the Debian package {package} "
            f"(apt-get install --no-install-recommends {package})",
            pytrace=False,
        )
    return path


def _qt_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def _run_icons(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_MAIN, str(ICONS_SCRIPT), json.dumps(argv)],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=cwd,
        env=_qt_env(),
    )


def _png_size(data: bytes, what: str) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk; the image must be 8-bit RGBA (it has an alpha channel)."""
    assert data[:8] == PNG_SIGNATURE, f"{what} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR"), f"{what}: the first chunk is not IHDR"
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    assert (depth, color_type) == (8, 6), f"{what}: bit depth {depth}, colour type {color_type}; expected 8-bit RGBA"
    return width, height


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.fromstring(METAINFO.read_text(encoding="utf-8"))  # noqa: S314 - this repository's own file


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """packaging/icons.py run once into a fresh folder, in its own process."""
    out = tmp_path_factory.mktemp("icons")
    proc = _run_icons([str(out)], cwd=out)
    assert proc.returncode == 0, f"icons.py failed (status {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return out


def _assert_appstreamcli_passes(*args: str) -> None:
    """``appstreamcli ARGS`` exits 0 with no warning (W:) or error (E:) line."""
    appstreamcli = _tool("appstreamcli", "appstream")
    proc = subprocess.run([appstreamcli, *args], capture_output=True, text=True, timeout=60, check=False)
    output = proc.stdout + proc.stderr
    issues = [line for line in output.splitlines() if line.lstrip().startswith(("W:", "E:"))]
    assert proc.returncode == 0, output
    assert not issues, output


def test_metainfo_passes_appstreamcli() -> None:
    _assert_appstreamcli_passes("validate", "--no-net", "--no-color", "--explain", str(METAINFO))


def test_install_tree_passes_appstreamcli(rendered: Path, tmp_path: Path) -> None:
    """The files where a .deb puts them: appstreamcli checks the metainfo against the desktop entry."""
    share = tmp_path / "root" / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy(DESKTOP, share / "applications")
    shutil.copy(METAINFO, share / "metainfo")
    shutil.copytree(rendered / "hicolor", share / "icons" / "hicolor")
    _assert_appstreamcli_passes("validate-tree", "--no-net", "--no-color", str(tmp_path / "root"))


def test_desktop_file_passes_desktop_file_validate() -> None:
    validate = _tool("desktop-file-validate", "desktop-file-utils")
    proc = subprocess.run([validate, str(DESKTOP)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout + proc.stderr == "", "desktop-file-validate has something to say:\n" + proc.stdout + proc.stderr


def test_desktop_entry_agrees_with_the_app_id_and_the_program() -> None:
    entry = _desktop_entry()
    scripts = PYPROJECT["project"]["scripts"]
    assert "topic-inspector" in scripts, scripts
    assert DESKTOP.name == f"{APP_ID}.desktop"
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Topic Inspector"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "topic-inspector"
    assert entry["Terminal"] == "false"
    # Qt names an X11 window's WM_CLASS instance after the program (argv[0]); shells match it to this key.
    assert entry["StartupWMClass"] == "topic-inspector"
    assert entry["Categories"].endswith(";")
    assert "Development" in entry["Categories"].split(";")


def test_metainfo_agrees_with_the_app_id_and_the_project() -> None:
    root = _metainfo()
    project = PYPROJECT["project"]
    assert METAINFO.name == f"{APP_ID}.metainfo.xml"
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    launchables = [(e.get("type"), e.text) for e in root.findall("launchable")]
    assert launchables == [("desktop-id", DESKTOP.name)]
    assert [e.text for e in root.findall("provides/binary")] == ["topic-inspector"]
    assert root.findtext("project_license") == project["license"] == "MIT"
    assert root.findtext("metadata_license") in {"CC0-1.0", "FSFAP"}
    assert root.findtext("name") == _desktop_entry()["Name"]
    assert root.findtext("summary") == _desktop_entry()["Comment"]
    releases = [(e.get("version"), e.get("date")) for e in root.findall("releases/release")]
    assert releases[0][0] == project["version"], releases
    developer = root.find("developer")
    assert developer is not None
    assert developer.get("id")
    assert developer.findtext("name") == "Topic Inspector developers"
    assert root.find("content_rating[@type='oars-1.1']") is not None
    images = [e.text for e in root.findall("screenshots/screenshot/image")]
    assert images, "no screenshot"
    for url in images:
        assert url is not None
        prefix = "https://raw.githubusercontent.com/topicinspector/topic-inspector/main/"
        assert url.startswith(prefix), url
        assert (ROOT / url.removeprefix(prefix)).is_file(), f"{url} names a file the repository does not have"


def test_icons_module_does_not_import_qt_until_it_renders() -> None:
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('icons', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(sorted(name for name in sys.modules if name.startswith(('PySide6', 'shiboken6'))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(ICONS_SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout


def test_hicolor_pngs_have_their_sizes(rendered: Path) -> None:
    assert set(icons.SIZES) == {16, 22, 24, 32, 48, 64, 128, 256, 512}
    for size in icons.SIZES:
        path = rendered / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert path.is_file(), f"{path} was not written"
        assert _png_size(path.read_bytes(), str(path)) == (size, size)
    scalable = rendered / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == SVG.read_bytes()


def test_pngs_are_not_blank(rendered: Path) -> None:
    paths = [rendered / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png" for size in icons.SIZES]
    proc = subprocess.run(
        [sys.executable, "-c", PIXEL_PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_qt_env(),
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    for size, path in zip(icons.SIZES, paths, strict=True):
        got = figures[str(path)]
        assert (got["width"], got["height"]) == (size, size), got
        assert got["visible"] > 0, f"the {size} px icon is empty: {got}"
        assert got["clear"] > 0, f"the {size} px icon has no transparent pixels (no background left out?): {got}"
    big = figures[str(paths[icons.SIZES.index(256)])]
    # the tile covers most of the square; the rounded corners and the margin stay clear
    assert 0.5 < big["visible"] / (256 * 256) < 0.95, big


def test_ico_holds_a_png_per_size(rendered: Path) -> None:
    data = (rendered / "topic-inspector.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind, count) == (0, 1, 7)
    seen: list[int] = []
    end = 6 + 16 * count
    for index in range(count):
        width, height, colors, zero, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert (colors, zero, planes, bits) == (0, 0, 1, 32), index
        assert width == height, index
        size = width or 256  # the byte field records 256 as 0
        assert offset >= end, f"entry {index} points into the header"
        assert offset + length <= len(data), f"entry {index} points past the end of the file"
        png = data[offset : offset + length]
        assert _png_size(png, f"ICO entry {index}") == (size, size)
        seen.append(size)
    assert sorted(seen) == [16, 24, 32, 48, 64, 128, 256]
    assert list(icons.ICO_SIZES) == sorted(seen)


def test_iconset_has_the_files_iconutil_expects(rendered: Path) -> None:
    iconset = rendered / "topic-inspector.iconset"
    expected = {
        "icon_16x16.png": 16,
        "icon_16x16@2x.png": 32,
        "icon_32x32.png": 32,
        "icon_32x32@2x.png": 64,
        "icon_128x128.png": 128,
        "icon_128x128@2x.png": 256,
        "icon_256x256.png": 256,
        "icon_256x256@2x.png": 512,
        "icon_512x512.png": 512,
        "icon_512x512@2x.png": 1024,
    }
    assert sorted(p.name for p in iconset.iterdir()) == sorted(expected)
    for name, size in expected.items():
        assert _png_size((iconset / name).read_bytes(), name) == (size, size)


def test_missing_svg_fails_with_a_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "icon.svg"
    proc = _run_icons([str(tmp_path / "out"), "--svg", str(missing)], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert str(missing) in proc.stderr, proc.stderr
    assert "does not exist" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_svg_that_draws_nothing_fails_with_a_message(tmp_path: Path) -> None:
    empty = tmp_path / "empty.svg"
    empty.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512"/>\n')
    proc = _run_icons([str(tmp_path / "out"), "--svg", str(empty)], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert str(empty) in proc.stderr, proc.stderr
    assert "transparent" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_svg_with_css_or_effects_fails_with_a_message(tmp_path: Path) -> None:
    fancy = tmp_path / "fancy.svg"
    fancy.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">\n'
        '  <filter id="blur"><feGaussianBlur stdDeviation="8"/></filter>\n'
        '  <rect class="tile" width="512" height="512" fill="#123456" filter="url(#blur)"/>\n'
        "</svg>\n"
    )
    proc = _run_icons([str(tmp_path / "out"), "--svg", str(fancy)], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{fancy}:2: <filter> element" in proc.stderr, proc.stderr
    assert f"{fancy}:3: class=... attribute on <rect>" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_the_icon_source_keeps_to_svg_tiny() -> None:
    icons.check_svg_source(SVG)  # pure XML, no Qt: raises IconError naming the line of anything unsupported
    root = ET.fromstring(SVG.read_text(encoding="utf-8"))  # noqa: S314 - this repository's own file
    assert root.get("viewBox") == "0 0 512 512"
