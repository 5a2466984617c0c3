"""Start the server with the user's session: a systemd user unit on Linux, a LaunchAgent on macOS,
a Startup-folder entry on Windows. Each runs this installation's `carelint serve` (the same
Python), restarts it after a crash, and logs only what the server logs (method, path and
status: never post text). `carelint service install|uninstall|status` (cli/service.py) drives
this module; the files are generated here so that every platform's is tested, wherever the
tests run."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT_NAME = "carelint.service"
AGENT_LABEL = "org.carelint.server"
STARTUP_NAME = "carelint.vbs"
RESTART_DELAY_S = 2


class ServiceError(RuntimeError):
    """The service manager refused (its message is kept for the user)."""


@dataclass(frozen=True)
class ServiceFile:
    path: Path
    content: bytes


def serve_command(port: int, python: str | None = None) -> list[str]:
    return [python or sys.executable, "-m", "carelint", "serve", "--port", str(port)]


# --- Linux: a systemd user unit --------------------------------------------------------------


def systemd_unit(port: int, home: Path, python: str | None = None) -> ServiceFile:
    command = " ".join(_systemd_quote(a) for a in serve_command(port, python))
    text = f"""[Unit]
Description=Carelint: local checks of social posts for PHI and unsupported health content
After=network.target

[Service]
Type=simple
ExecStart={command}
# After a crash (not after `systemctl --user stop`), start again.
Restart=on-failure
RestartSec={RESTART_DELAY_S}
Environment=PYTHONUNBUFFERED=1
# The journal gets the server's own log: requests as method, path and status, never a body.

[Install]
WantedBy=default.target
"""
    return ServiceFile(home / ".config" / "systemd" / "user" / UNIT_NAME, text.encode())


def _systemd_quote(arg: str) -> str:
    return f'"{arg}"' if any(c in arg for c in ' "\\') else arg


# --- macOS: a LaunchAgent ----------------------------------------------------------------------


def launch_agent(port: int, home: Path, python: str | None = None) -> ServiceFile:
    logs = home / "Library" / "Logs" / "Carelint"
    plist = {
        "Label": AGENT_LABEL,
        "ProgramArguments": serve_command(port, python),
        "RunAtLoad": True,
        # Restart when it exits with an error (a crash), not after a clean stop.
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_DELAY_S,
        "StandardOutPath": str(logs / "server.log"),
        "StandardErrorPath": str(logs / "server.log"),
        "ProcessType": "Background",
    }
    return ServiceFile(home / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist", plistlib.dumps(plist))


# --- Windows: the Startup folder -------------------------------------------------------------


def windows_startup(port: int, appdata: Path, python: str | None = None) -> list[ServiceFile]:
    """A restart loop (carelint-server.cmd, next to the settings) and a script in the Startup
    folder that runs it without a console window at sign-in."""
    loop = appdata / "Carelint" / "carelint-server.cmd"
    args = " ".join(f'"{a}"' for a in serve_command(port, python))
    cmd = (f"@echo off\r\nrem Carelint: restart the server after a crash ({RESTART_DELAY_S} s later).\r\n"
           f":loop\r\n{args}\r\nif %ERRORLEVEL% EQU 0 goto end\r\n"
           f"timeout /t {RESTART_DELAY_S} /nobreak >nul\r\ngoto loop\r\n:end\r\n")
    startup = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / STARTUP_NAME
    vbs = f'CreateObject("WScript.Shell").Run """{loop}""", 0, False\r\n'
    return [ServiceFile(loop, cmd.encode()), ServiceFile(startup, vbs.encode())]


# --- the platform's files and manager ----------------------------------------------------------


def files_for(platform: str, port: int, home: Path, appdata: Path | None = None,
              python: str | None = None) -> list[ServiceFile]:
    if platform.startswith("linux"):
        return [systemd_unit(port, home, python)]
    if platform == "darwin":
        return [launch_agent(port, home, python)]
    if platform == "win32":
        return windows_startup(port, appdata or home / "AppData" / "Roaming", python)
    raise ServiceError(f"no service support for {platform!r}: run `carelint serve` at sign-in yourself")


def _run(*args: str) -> subprocess.CompletedProcess:
    if not shutil.which(args[0]):
        raise ServiceError(f"{args[0]} is not available on this system")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ServiceError(f"`{' '.join(args)}` failed: {(done.stderr or done.stdout).strip()}")
    return done


def install(port: int, platform: str = sys.platform, home: Path | None = None) -> list[Path]:
    """Write the files and start the server now; returns what was written."""
    home = home or Path.home()
    files = files_for(platform, port, home, Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")))
    for f in files:
        f.path.parent.mkdir(parents=True, exist_ok=True)
        f.path.write_bytes(f.content)
    try:
        if platform.startswith("linux"):
            _run("systemctl", "--user", "daemon-reload")
            _run("systemctl", "--user", "enable", "--now", UNIT_NAME)
        elif platform == "darwin":
            (home / "Library" / "Logs" / "Carelint").mkdir(parents=True, exist_ok=True)
            _run("launchctl", "bootstrap", f"gui/{os.getuid()}", str(files[0].path))
        elif platform == "win32":
            _run("wscript", str(files[-1].path))
    except ServiceError:
        for f in files:  # the manager refused: leave nothing half-installed behind
            f.path.unlink(missing_ok=True)
        raise
    return [f.path for f in files]


def uninstall(platform: str = sys.platform, home: Path | None = None) -> list[Path]:
    """Stop the server and remove every file `install` wrote; returns what was removed."""
    home = home or Path.home()
    files = files_for(platform, 0, home, Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")))
    if platform.startswith("linux") and files[0].path.exists():
        _run("systemctl", "--user", "disable", "--now", UNIT_NAME)
    elif platform == "darwin" and files[0].path.exists():
        _run("launchctl", "bootout", f"gui/{os.getuid()}", str(files[0].path))
    removed = []
    for f in files:
        if f.path.exists():
            f.path.unlink()
            removed.append(f.path)
    if platform.startswith("linux") and removed:
        _run("systemctl", "--user", "daemon-reload")
    return removed


def manager_state(platform: str = sys.platform, home: Path | None = None) -> str:
    """What the service manager says: installed and active, installed, or not installed."""
    home = home or Path.home()
    files = files_for(platform, 0, home, Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")))
    if not all(f.path.exists() for f in files):
        return "not installed"
    try:
        if platform.startswith("linux"):
            state = subprocess.run(["systemctl", "--user", "is-active", UNIT_NAME], capture_output=True,
                                   text=True, check=False).stdout.strip()
            return f"installed, {state or 'unknown'}"
        if platform == "darwin":
            done = subprocess.run(["launchctl", "print", f"gui/{os.getuid()}/{AGENT_LABEL}"], capture_output=True,
                                  text=True, check=False)
            return "installed, loaded" if done.returncode == 0 else "installed, not loaded"
    except OSError:
        return "installed"
    return "installed"
