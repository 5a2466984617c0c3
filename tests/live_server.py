"""`carelint serve` as a real process on a free port, for the tests that need one."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, proc: subprocess.Popen | None, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"carelint serve exited with {proc.returncode}")
        try:
            if httpx.get(url + "/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} not healthy after {timeout}s")


@contextlib.contextmanager
def start_server(token: str, args: tuple[str, ...] = (), env: dict[str, str] | None = None):
    """Run `carelint serve` on a free port with a temporary config dir until the block ends."""
    exe = Path(sys.executable).parent / "carelint"
    if not exe.exists():
        exe = Path(shutil.which("carelint") or "carelint")
    port = free_port()
    config_dir = tempfile.mkdtemp(prefix="carelint-live-")
    env = {**os.environ, "CARELINT_TOKEN": token, "CARELINT_CONFIG_DIR": config_dir, **(env or {})}
    url = f"http://127.0.0.1:{port}"
    log_path = Path(config_dir) / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), *args], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            try:
                wait_for_health(url, proc)
            except RuntimeError as e:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{e}\n--- server log ---\n{tail}") from None
            yield {"url": url, "token": token, "port": port, "config_dir": config_dir, "proc": proc, "log": log_path}
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(config_dir, ignore_errors=True)
