"""`carelint service`: the files each platform gets, and the Linux install and uninstall driven
through `systemctl --user` (a recording stand-in here: this machine has no systemd session, so
the real manager cannot be exercised; the unit's command itself is started for real)."""

import json
import os
import plistlib
import re
import shlex
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from carelint import __version__, service
from carelint.cli import app
from live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_systemd_unit_runs_this_installation_and_restarts_after_a_crash(tmp_path):
    unit = service.systemd_unit(8899, tmp_path, python="/opt/venv/bin/python")
    text = unit.content.decode()
    assert unit.path == tmp_path / ".config/systemd/user/carelint.service"
    assert "ExecStart=/opt/venv/bin/python -m carelint serve --port 8899" in text
    assert "Restart=on-failure" in text and "WantedBy=default.target" in text


def test_the_launch_agent_keeps_the_server_alive_after_a_crash(tmp_path):
    agent = service.launch_agent(8899, tmp_path, python="/opt/venv/bin/python")
    plist = plistlib.loads(agent.content)
    assert agent.path == tmp_path / "Library/LaunchAgents/org.carelint.server.plist"
    assert plist["ProgramArguments"] == ["/opt/venv/bin/python", "-m", "carelint", "serve", "--port", "8899"]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}


def test_the_windows_startup_entry_runs_a_restart_loop_without_a_window(tmp_path):
    loop, startup = service.windows_startup(8899, tmp_path, python=r"C:\venv\python.exe")
    assert startup.path.parent == tmp_path / "Microsoft/Windows/Start Menu/Programs/Startup"
    cmd = loop.content.decode()
    assert r'"C:\venv\python.exe" "-m" "carelint" "serve" "--port" "8899"' in cmd
    assert ":loop" in cmd and "goto loop" in cmd and "if %ERRORLEVEL% EQU 0 goto end" in cmd
    assert f'"""{loop.path}""", 0, False' in startup.content.decode()  # 0: no window


@pytest.fixture
def fake_systemctl(tmp_path, monkeypatch):
    """`systemctl` on PATH that records its arguments (and fails when asked to)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.jsonl"
    script = bin_dir / "systemctl"
    script.write_text(f"""#!{sys.executable}
import json, os, sys
with open({str(log)!r}, "a") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
sys.exit(int(os.environ.get("FAKE_SYSTEMCTL_EXIT", "0")))
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def calls():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def test_linux_install_enables_the_unit_and_uninstall_removes_everything(tmp_path, fake_systemctl):
    home = tmp_path / "home"
    written = service.install(8899, platform="linux", home=home)
    assert written == [home / ".config/systemd/user/carelint.service"] and written[0].exists()
    assert fake_systemctl() == [["--user", "daemon-reload"], ["--user", "enable", "--now", "carelint.service"]]
    assert service.uninstall(platform="linux", home=home) == written
    assert fake_systemctl()[2:] == [["--user", "disable", "--now", "carelint.service"], ["--user", "daemon-reload"]]
    assert not any(p.is_file() for p in home.rglob("*"))


def test_a_refused_install_leaves_nothing_behind(tmp_path, fake_systemctl, monkeypatch):
    monkeypatch.setenv("FAKE_SYSTEMCTL_EXIT", "1")
    with pytest.raises(service.ServiceError, match="daemon-reload"):
        service.install(8899, platform="linux", home=tmp_path / "home")
    assert not any(p.is_file() for p in (tmp_path / "home").rglob("*"))


def test_the_units_command_starts_a_server_that_answers(tmp_path):
    port = free_port()
    unit = service.systemd_unit(port, tmp_path).content.decode()
    command = shlex.split(re.search(r"^ExecStart=(.+)$", unit, re.M).group(1))
    env = {**os.environ, "CARELINT_CONFIG_DIR": str(tmp_path / "config"), "CARELINT_WORKERS": "1"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).json()["status"] == "ok":
                    break
            except (httpx.HTTPError, ValueError):
                time.sleep(0.3)
        else:
            pytest.fail("the unit's command did not start a server")
        result = CliRunner().invoke(app, ["service", "status", "--port", str(port)])
        assert result.exit_code == 0 and "answers /v1/health" in result.output
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_version_matches_the_extension():
    manifest = json.loads((ROOT / "extension/manifest.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"carelint {__version__}"
    assert manifest["version"] == __version__
