"""Carelint opens no outbound connection: not at start-up, not while checking URLs and e-mails.

Runs the real server in a fresh interpreter with an empty HOME and cache, after replacing the
socket layer's connect and DNS functions with ones that record and refuse any non-loopback
address. tldextract would otherwise fetch the public suffix list on first use.
"""

import json
import subprocess
import sys
import textwrap

from netguard import SOCKET_GUARD

GUARDED_SERVER = SOCKET_GUARD + textwrap.dedent(r'''
    import json, sys, threading, time, urllib.request
    from concurrent.futures import ThreadPoolExecutor

    import uvicorn
    from carelint.app import create_app
    from carelint.settings import RuntimeSettings

    port = int(sys.argv[1])
    settings = RuntimeSettings(config_dir=sys.argv[2], token="t", port=port, workers=2)  # the forked analyser too
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.05)
    posts = [
        "Email p.obrien@example.com about her thyroid panel, or see https://portal.example.co.uk/x?patient_id=5",
        "Visit www.clinic.example.org or write to frontdesk@hospital.example.com.au today.",
        "Our patient jane.doe@gmail.com asked about her MRI at http://192.0.2.10/results.",
    ]

    def emails_found(text):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/check", data=json.dumps({"text": text}).encode(),
                                     headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return sum(f["type"] == "EMAIL_ADDRESS" for f in json.load(r)["findings"])

    found = sum(map(emails_found, posts))  # one at a time: the server's own process checks them
    lanes = app.state.carelint.batcher.batches_per_lane
    for round in range(20):  # several at once until the forked analyser has checked some too
        with ThreadPoolExecutor(6) as pool:
            found += sum(pool.map(emails_found, [f"{p} ({round}.{i})" for i in range(4) for p in posts]))
        if all(lanes):
            break
    server.should_exit = True
    serving.join(30)  # exiting while it still runs native code (spaCy, onnxruntime) can crash the exit
    print(json.dumps({"attempts": attempts, "emails": found, "lanes": lanes}))
''')


def test_no_outbound_connection_while_serving_checks(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    refusals = tmp_path / "refused.log"
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
           "PATH": "/usr/bin:/bin", "NO_PROXY": "*", "NETGUARD_LOG": str(refusals)}
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run([sys.executable, "-c", GUARDED_SERVER, str(port), str(tmp_path / "cfg")],
                          env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [], report["attempts"]
    assert not refusals.exists(), refusals.read_text()  # nor in the forked analyser
    assert len(report["lanes"]) == 2 and all(report["lanes"]), report["lanes"]  # both processes checked e-mails
    assert report["emails"] >= 2  # the e-mail recognizer (and so tldextract) really ran
    assert not (home / ".cache" / "python-tldextract").exists()
