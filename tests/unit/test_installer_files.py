"""The installer build files: the GitHub Actions workflow, the Inno Setup script and the dmg script.

They only run on Windows and macOS runners, so these tests hold them to their contract here: what the workflow builds
from, that it tests both the build and the installed copy, that the .iss installs the PyInstaller folder and starts
the windowed program, and that build-dmg.sh makes the image it says (with stand-ins for the macOS tools).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "installers.yml"
ISS = REPO / "packaging" / "windows" / "topic-inspector.iss"
DMG_SCRIPT = REPO / "packaging" / "macos" / "build-dmg.sh"
SPEC = "packaging/topic-inspector.spec"
JOBS = {"windows": "windows-latest", "macos": "macos-latest"}


# --- the workflow -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    return list(workflow["jobs"][job]["steps"])


def run_text(step: dict[str, Any]) -> str:
    return str(step.get("run", "")).replace("\\", "/")


def index_of(job_steps: list[dict[str, Any]], needle: str, *, last: bool = False) -> int:
    found = [i for i, step in enumerate(job_steps) if needle in run_text(step)]
    assert found, f"no step runs {needle!r}"
    return found[-1] if last else found[0]


def test_workflow_triggers(workflow: dict[Any, Any]) -> None:
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict)
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers
    assert "workflow_dispatch" in triggers


@pytest.mark.parametrize(("job", "runner"), JOBS.items())
def test_job_runs_on_a_hosted_runner_without_matrix(workflow: dict[Any, Any], job: str, runner: str) -> None:
    definition = workflow["jobs"][job]
    assert definition["runs-on"] == runner
    assert "strategy" not in definition
    assert definition.get("timeout-minutes", 0) > 0


def test_only_the_two_installer_jobs(workflow: dict[Any, Any]) -> None:
    assert set(workflow["jobs"]) == set(JOBS)


def test_every_action_is_pinned_to_a_version(workflow: dict[Any, Any]) -> None:
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})", action), action
    assert {action.split("@")[0] for action in uses} == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
    }


@pytest.mark.parametrize("job", JOBS)
def test_python_is_3_11(workflow: dict[Any, Any], job: str) -> None:
    setup = [step for step in steps(workflow, job) if step.get("uses", "").startswith("actions/setup-python@")]
    assert len(setup) == 1
    assert str(setup[0]["with"]["python-version"]) == "3.11"


@pytest.mark.parametrize("job", JOBS)
def test_version_comes_from_pyproject(workflow: dict[Any, Any], job: str) -> None:
    reader = steps(workflow, job)[index_of(steps(workflow, job), "tomllib")]
    assert "pyproject.toml" in run_text(reader)
    assert "APP_VERSION=" in run_text(reader)


def test_installer_version_is_the_app_version() -> None:
    # The installers are named after pyproject.toml's version; the spec stamps inspector.__version__ into the app.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    init = (REPO / "inspector" / "__init__.py").read_text(encoding="utf-8")
    assert f'__version__ = "{project["version"]}"' in init


@pytest.mark.parametrize("job", JOBS)
def test_job_builds_from_the_spec_after_the_icons(workflow: dict[Any, Any], job: str) -> None:
    job_steps = steps(workflow, job)
    install = index_of(job_steps, "pip install")
    assert "'.[package]'" in run_text(job_steps[install]) or '".[package]"' in run_text(job_steps[install])
    icons = index_of(job_steps, "python packaging/icons.py build/icons")
    build = index_of(job_steps, SPEC)
    assert install < icons < build
    command = next(line for line in run_text(job_steps[build]).splitlines() if SPEC in line)
    assert command.split()[0] == "pyinstaller"
    assert "--distpath dist" in command
    assert "--noconfirm" in command


def test_macos_makes_the_icns_before_pyinstaller(workflow: dict[Any, Any]) -> None:
    job_steps = steps(workflow, "macos")
    iconutil = index_of(job_steps, "iconutil")
    command = "iconutil -c icns build/icons/topic-inspector.iconset -o build/icons/topic-inspector.icns"
    assert command in run_text(job_steps[iconutil])
    assert iconutil < index_of(job_steps, SPEC)


def effective_env(workflow: dict[Any, Any], job: str, step: dict[str, Any]) -> dict[str, Any]:
    return {**workflow.get("env", {}), **workflow["jobs"][job].get("env", {}), **step.get("env", {})}


@pytest.mark.parametrize("job", JOBS)
def test_self_test_runs_on_the_build_and_on_the_installed_copy(workflow: dict[Any, Any], job: str) -> None:
    job_steps = steps(workflow, job)
    self_tests = [i for i, step in enumerate(job_steps) if "--self-test" in run_text(step)]
    assert len(self_tests) >= 2
    for i in self_tests:
        assert effective_env(workflow, job, job_steps[i]).get("QT_QPA_PLATFORM") == "offscreen"
        assert "TOPIC_INSPECTOR_HOME" in run_text(job_steps[i])

    installer_built = index_of(job_steps, "topic-inspector.iss" if job == "windows" else "build-dmg.sh")
    installed = index_of(job_steps, "/VERYSILENT" if job == "windows" else "hdiutil attach")
    first, last = self_tests[0], self_tests[-1]
    assert first < installer_built < installed < last
    assert SPEC in run_text(job_steps[index_of(job_steps, SPEC)])
    # the build is tested where PyInstaller put it, the installed copy from outside the checkout
    assert "dist/" in run_text(job_steps[first])
    assert "dist/" not in run_text(job_steps[last])
    assert "runner.temp" in job_steps[last].get("working-directory", "")


@pytest.mark.parametrize(
    ("job", "artifact"),
    [
        ("windows", "dist/installer/TopicInspector-${{ env.APP_VERSION }}-Setup.exe"),
        ("macos", "dist/installer/TopicInspector-${{ env.APP_VERSION }}.dmg"),
    ],
)
def test_job_uploads_its_installer(workflow: dict[Any, Any], job: str, artifact: str) -> None:
    job_steps = steps(workflow, job)
    uploads = [step for step in job_steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    assert uploads[0]["with"]["path"] == artifact
    assert uploads[0]["with"]["if-no-files-found"] == "error"
    assert job_steps[-1] is uploads[0], "upload what passed every check"


NATIVE_COMMAND = re.compile(r"^\s*(\$\w+\s*=\s*)?(python|pyinstaller|choco|&)\s")


def test_windows_steps_use_pwsh_and_check_every_exit_code(workflow: dict[Any, Any]) -> None:
    job = workflow["jobs"]["windows"]
    assert job["defaults"]["run"]["shell"] == "pwsh"
    checked = 0
    for step in job["steps"]:
        if "run" not in step:
            continue
        assert step.get("shell", "pwsh") == "pwsh"
        lines = str(step["run"]).splitlines()
        for i, line in enumerate(lines):
            if not NATIVE_COMMAND.match(line):
                continue
            # pwsh goes on after a failing program: the next lines must look at $LASTEXITCODE.
            following = "\n".join(lines[i + 1 : i + 3])
            assert "$LASTEXITCODE" in following, f"exit code of {line.strip()!r} is not checked"
            checked += 1
        if "Start-Process" in step["run"]:
            assert "-Wait -PassThru" in step["run"]
            assert ".ExitCode -ne 0" in step["run"]
    assert checked >= 5


def test_windows_builds_installs_and_uninstalls_the_installer(workflow: dict[Any, Any]) -> None:
    job_steps = steps(workflow, "windows")
    build = run_text(job_steps[index_of(job_steps, "topic-inspector.iss")])
    assert '"/DAppVersion=$env:APP_VERSION" packaging/windows/topic-inspector.iss' in build
    assert "choco install innosetup -y --no-progress" in build
    assert "dist/installer/TopicInspector-$env:APP_VERSION-Setup.exe" in build

    install = run_text(job_steps[index_of(job_steps, "/VERYSILENT")])
    for switch in ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/CURRENTUSER", "/DIR=", '/TASKS=`"addtopath`"'):
        assert switch in install
    assert "TopicInspector.lnk" not in install  # the shortcut is named after the app, not the program
    assert "'Topic Inspector.lnk'" in install

    uninstall_index = index_of(job_steps, "unins000.exe", last=True)
    uninstall = run_text(job_steps[uninstall_index])
    assert "/VERYSILENT" in uninstall
    assert "Test-Path $env:INSTALL_DIR" in uninstall
    assert uninstall_index > index_of(job_steps, "--self-test", last=True)


def test_workflow_uses_the_packaging_scripts_that_exist(workflow: dict[Any, Any]) -> None:
    text = WORKFLOW.read_text(encoding="utf-8").replace("\\", "/")
    for script in (ISS, DMG_SCRIPT):
        relative = script.relative_to(REPO).as_posix()
        assert relative in text
        assert script.is_file()


# --- the Inno Setup script ----------------------------------------------------------------------------------------


def parse_iss(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The script's #define values and, per section, its lines without comments and preprocessor lines."""
    defines = dict(re.findall(r'^\s*#define\s+(\w+)\s+"([^"]*)"', text, flags=re.MULTILINE))
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1).lower()
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    return defines, sections


def expand(value: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda match: defines[match.group(1)], value)


def entries(lines: list[str], defines: dict[str, str]) -> list[dict[str, str]]:
    """`Name: "x"; Flags: a b` entries of a [Files]/[Icons]/[Tasks] section, with the defines expanded."""
    parsed = []
    for line in lines:
        params = re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line)
        parsed.append({name: expand(value.strip().strip('"').replace('""', '"'), defines) for name, value in params})
    return parsed


@pytest.fixture(scope="module")
def iss() -> tuple[dict[str, str], dict[str, list[str]]]:
    return parse_iss(ISS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def setup_directives(iss: tuple[dict[str, str], dict[str, list[str]]]) -> dict[str, str]:
    _, sections = iss
    directives = {}
    for line in sections["setup"]:
        key, _, value = line.partition("=")
        assert key.strip() not in directives, f"{key} set twice"
        directives[key.strip()] = value.strip()
    return directives


def test_iss_is_plain_ascii() -> None:
    ISS.read_bytes().decode("ascii")


def test_iss_setup_directives(setup_directives: dict[str, str]) -> None:
    guid = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
    assert re.fullmatch(r"\{\{" + guid + r"\}", setup_directives["AppId"]), "AppId={{GUID} (the {{ escapes a brace)"
    assert setup_directives["AppVersion"] == "{#AppVersion}"
    assert setup_directives["AppPublisher"] == "Topic Inspector developers"
    assert setup_directives["DefaultDirName"] == r"{autopf}\Topic Inspector"
    assert "dialog" in setup_directives["PrivilegesRequiredOverridesAllowed"].split()
    assert setup_directives["ArchitecturesAllowed"] == "x64compatible"
    assert setup_directives["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    assert setup_directives["OutputDir"] == r"dist\installer"
    assert setup_directives["OutputBaseFilename"] == "TopicInspector-{#AppVersion}-Setup"
    assert setup_directives["Compression"].startswith("lzma2")
    assert setup_directives["SetupIconFile"] == r"build\icons\topic-inspector.ico"
    assert setup_directives["ChangesEnvironment"] == "yes"


def test_iss_app_name_and_version_default(iss: tuple[dict[str, str], dict[str, list[str]]]) -> None:
    defines, _ = iss
    text = ISS.read_text(encoding="utf-8")
    # a default only: /DAppVersion=... on the ISCC command line wins
    assert re.search(r"#ifndef AppVersion\s+#define AppVersion \"[^\"]+\"\s+#endif", text)
    assert defines["AppName"] == "Topic Inspector"


def test_iss_paths_are_relative_to_the_repository_root(setup_directives: dict[str, str]) -> None:
    source_dir = setup_directives["SourceDir"]
    prefix = "{#AddBackslash(SourcePath)}"
    assert source_dir.startswith(prefix)
    resolved = (ISS.parent / source_dir.removeprefix(prefix).replace("\\", "/")).resolve()
    assert resolved == REPO


def test_iss_license_file_exists_if_set(setup_directives: dict[str, str]) -> None:
    if "LicenseFile" in setup_directives:
        assert (REPO / setup_directives["LicenseFile"].replace("\\", "/")).is_file()


def test_iss_installs_the_whole_pyinstaller_folder(iss: tuple[dict[str, str], dict[str, list[str]]]) -> None:
    defines, sections = iss
    files = entries(sections["files"], defines)
    folder = [entry for entry in files if entry["Source"] == "dist\\topic-inspector\\*"]
    assert len(folder) == 1
    assert folder[0]["DestDir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs", "ignoreversion"} <= set(folder[0]["Flags"].split())


def test_iss_shortcuts_start_the_windowed_program(iss: tuple[dict[str, str], dict[str, list[str]]]) -> None:
    defines, sections = iss
    icons = {entry["Name"]: entry for entry in entries(sections["icons"], defines)}
    start_menu = icons["{autoprograms}\\Topic Inspector"]
    assert start_menu["Filename"] == "{app}\\TopicInspector.exe"
    assert "Tasks" not in start_menu
    assert start_menu["IconFilename"] == "{app}\\topic-inspector.ico"
    installed = {entry["Source"] for entry in entries(sections["files"], defines)}
    assert "build\\icons\\topic-inspector.ico" in installed
    desktop = icons["{autodesktop}\\Topic Inspector"]
    assert desktop["Filename"] == "{app}\\TopicInspector.exe"
    assert desktop["Tasks"] == "desktopicon"


def test_iss_optional_tasks_start_unchecked(iss: tuple[dict[str, str], dict[str, list[str]]]) -> None:
    defines, sections = iss
    tasks = {entry["Name"]: entry for entry in entries(sections["tasks"], defines)}
    assert set(tasks) == {"desktopicon", "addtopath"}
    for task in tasks.values():
        assert "unchecked" in task["Flags"].split()


def test_iss_path_entry_is_added_by_its_task_and_removed_on_uninstall(
    iss: tuple[dict[str, str], dict[str, list[str]]],
) -> None:
    _, sections = iss
    code = "\n".join(sections["code"])
    assert "WizardIsTaskSelected('addtopath')" in code
    assert "procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);" in code
    assert "RemoveAppFromPath" in code.split("procedure CurUninstallStepChanged", 1)[1]
    # the uninstaller only takes out its own entry: it must never delete the whole Path value
    assert "RegDeleteValue" not in code
    assert "uninsdeletevalue" not in ISS.read_text(encoding="utf-8").lower()


# --- the dmg script -----------------------------------------------------------------------------------------------


def test_build_dmg_script_parses() -> None:
    subprocess.run(["bash", "-n", str(DMG_SCRIPT)], check=True, timeout=30)


def test_build_dmg_script_is_strict_and_signs_before_imaging() -> None:
    text = DMG_SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert text.index("codesign --force --deep --sign -") < text.index("hdiutil create")
    assert "-format UDZO" in text
    assert DMG_SCRIPT.stat().st_mode & stat.S_IXUSR


STUBS = {
    "codesign": 'echo "codesign $*" >>"$STUB_DIR/log"\n',
    "ditto": 'echo "ditto $*" >>"$STUB_DIR/log"\ncp -R "$1" "$2"\n',
    "sleep": 'echo "sleep $*" >>"$STUB_DIR/log"\n',
    "hdiutil": """echo "hdiutil $*" >>"$STUB_DIR/log"
if [ "$1" = create ]; then
  n=$(( $(cat "$STUB_DIR/creates" 2>/dev/null || echo 0) + 1 ))
  echo "$n" >"$STUB_DIR/creates"
  if [ "$n" -le "${HDIUTIL_FAILS:-0}" ]; then
    echo "hdiutil: create failed - Resource busy" >&2
    exit 1
  fi
  src=; prev=
  for arg in "$@"; do
    if [ "$prev" = -srcfolder ]; then src=$arg; fi
    prev=$arg
  done
  ls -A "$src" >"$STUB_DIR/srcfolder"
  readlink "$src/Applications" >"$STUB_DIR/applications-link"
  printf 'disk image' >"${!#}"
fi
""",
}


@pytest.fixture
def fake_mac(tmp_path: Path) -> dict[str, Path]:
    """A copy of the script in a scratch repository with an app bundle, and stand-ins for the macOS tools."""
    repo = tmp_path / "repo"
    script = repo / "packaging" / "macos" / "build-dmg.sh"
    script.parent.mkdir(parents=True)
    shutil.copy2(DMG_SCRIPT, script)
    program = repo / "dist" / "Topic Inspector.app" / "Contents" / "MacOS" / "topic-inspector"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text("#!/usr/bin/env bash\n" + body)
        (stubs / name).chmod(0o755)
    temp = tmp_path / "tmp"
    temp.mkdir()
    return {"repo": repo, "script": script, "stubs": stubs, "tmp": temp}


def run_dmg_script(fake_mac: dict[str, Path], *args: str, fails: int = 0) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{fake_mac['stubs']}{os.pathsep}{os.environ.get('PATH', '')}",
        "STUB_DIR": str(fake_mac["stubs"]),
        "HDIUTIL_FAILS": str(fails),
        "TMPDIR": str(fake_mac["tmp"]),
    }
    return subprocess.run(
        ["bash", str(fake_mac["script"]), *args],
        cwd=fake_mac["repo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_build_dmg_makes_the_image_with_the_app_and_an_applications_link(fake_mac: dict[str, Path]) -> None:
    proc = run_dmg_script(fake_mac, "dist/Topic Inspector.app", "1.2.3", fails=1)
    assert proc.returncode == 0, proc.stderr
    dmg = fake_mac["repo"] / "dist" / "installer" / "TopicInspector-1.2.3.dmg"
    assert dmg.read_text() == "disk image"
    assert f"{dmg}: 10 bytes" in proc.stdout
    stubs = fake_mac["stubs"]
    assert set((stubs / "srcfolder").read_text().split("\n")) - {""} == {"Topic Inspector.app", "Applications"}
    assert (stubs / "applications-link").read_text().strip() == "/Applications"

    log = (stubs / "log").read_text().splitlines()
    sign = log.index("codesign --force --deep --sign - dist/Topic Inspector.app")
    creates = [i for i, line in enumerate(log) if line.startswith("hdiutil create ")]
    assert len(creates) == 2, "one 'Resource busy' failure, then a retry"
    assert sign < creates[0]
    assert "-format UDZO" in log[creates[0]]
    assert log[creates[0]].endswith(str(dmg))
    assert f"hdiutil verify {dmg}" in log
    assert "Resource busy" in proc.stderr
    assert list(fake_mac["tmp"].iterdir()) == [], "the staging folder is left behind"


def test_build_dmg_gives_up_when_hdiutil_keeps_failing(fake_mac: dict[str, Path]) -> None:
    proc = run_dmg_script(fake_mac, "dist/Topic Inspector.app", "1.2.3", fails=99)
    assert proc.returncode == 1
    assert "hdiutil create failed 5 times" in proc.stderr
    assert not (fake_mac["repo"] / "dist" / "installer" / "TopicInspector-1.2.3.dmg").exists()


@pytest.mark.parametrize(
    ("args", "returncode", "message"),
    [
        ((), 2, "usage:"),
        (("dist/Topic Inspector.app",), 2, "usage:"),
        (("dist", "1.2.3"), 1, "not an app bundle"),
        (("dist/Missing.app", "1.2.3"), 1, "not an app bundle"),
        (("dist/Topic Inspector.app", ""), 1, "not a version"),
        (("dist/Topic Inspector.app", "1.2 beta"), 1, "not a version"),
    ],
)
def test_build_dmg_rejects_bad_arguments(
    fake_mac: dict[str, Path], args: tuple[str, ...], returncode: int, message: str
) -> None:
    proc = run_dmg_script(fake_mac, *args)
    assert proc.returncode == returncode
    assert message in proc.stderr
    assert not (fake_mac["stubs"] / "log").exists(), "nothing may be signed or imaged"
