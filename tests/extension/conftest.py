"""End-to-end fixtures for the Carelint extension.

One real Chromium (Debian's, through `executable_path`) with the unpacked extension,
one real Carelint server on a free port with a temporary config dir, and the fixture
composer pages (built here with esbuild from the editor packages installed by `npm ci`)
served at the platforms' real URLs through `context.route`. Every other request is
aborted, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from live_server import start_server, wait_for_health

from .composers import COMPOSERS, RENAMED, page_for

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
FIXTURES = ROOT / "tests" / "fixtures" / "composers"
PAGES = FIXTURES / "pages"
BUILD = FIXTURES / "build"
BUNDLES = ["draft", "lexical", "quill", "prosemirror", "textarea", "plain"]
CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
TOKEN = "e2e-" + os.urandom(12).hex()


def chromium_path() -> str:
    explicit = os.environ.get("CARELINT_CHROMIUM")
    for candidate in ([explicit] if explicit else []) + CHROMIUM_CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium is not installed: `make test` installs it (apt-get install -y chromium).")


# --- build ------------------------------------------------------------------------------


def build_fixture_bundles() -> Path:
    """Bundle the fixture pages' editors (esbuild, from node_modules installed by npm ci)."""
    esbuild = FIXTURES / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FIXTURES, check=True)
    sources = sorted((FIXTURES / "src").glob("*.js"))
    newest = max(p.stat().st_mtime for p in sources)
    if not all((BUILD / f"{b}.js").exists() and (BUILD / f"{b}.js").stat().st_mtime >= newest for b in BUNDLES):
        subprocess.run(
            [
                str(esbuild),
                *[f"src/{b}.js" for b in BUNDLES],
                "--bundle",
                "--format=iife",
                "--minify",
                "--loader:.css=text",
                '--define:process.env.NODE_ENV="production"',
                "--define:global=window",
                f"--outdir={BUILD}",
                "--log-level=warning",
            ],
            cwd=FIXTURES,
            check=True,
        )
    return BUILD


@pytest.fixture(scope="session")
def fixture_bundles() -> Path:
    return build_fixture_bundles()


# --- server -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server():
    """The real Carelint server: free port, temporary config dir, token from the env.

    CARELINT_E2E_SERVER_URL (+ CARELINT_E2E_TOKEN) points the suite at an already running
    server instead, for debugging only.
    """
    external = os.environ.get("CARELINT_E2E_SERVER_URL")
    if external:
        url = external.rstrip("/")
        wait_for_health(url, None, 10)
        yield {"url": url, "token": os.environ["CARELINT_E2E_TOKEN"], "port": urlsplit(url).port}
        return
    with start_server(TOKEN) as info:
        yield {k: info[k] for k in ("url", "token", "port", "config_dir")}


@pytest.fixture(scope="session")
def api(server):
    """A client for asking the server directly what it finds (the tests' expectations)."""
    with httpx.Client(base_url=server["url"], headers={"Authorization": f"Bearer {server['token']}"}, timeout=30) as c:
        yield c


# --- browser ----------------------------------------------------------------------------

UNIT_HOST = "carelint-unit.test"
# The content scripts a unit page loads into its main world (no chrome.* APIs needed).
UNIT_SCRIPTS = [
    "shared/constants.js",
    "shared/strings.js",
    "shared/offline.js",
    "content/state.js",
    "content/dom.js",
    "content/offsets.js",
    "content/highlighter.js",
    "content/ui.js",
    "content/adapters/editable.js",
    "content/adapters/families.js",
    "content/adapters/textarea.js",
    "content/sites.js",
    "content/submit.js",
    "content/card.js",
    "content/panel.js",
    "content/session.js",
]


def unit_page() -> bytes:
    scripts = "".join(f"<script>{(EXTENSION / s).read_text()}</script>\n" for s in UNIT_SCRIPTS)
    return f"<!doctype html><html><head><meta charset=utf-8></head><body>{scripts}</body></html>".encode()


BLOCKED = None  # fixture_response's answer for a request that must not leave the machine


def fixture_response(url: str, fixture_bundles: Path) -> tuple[int, bytes, str] | None:
    """What the fixture web serves at `url`: (status, body, content type), or BLOCKED. Shared
    by Chromium's `context.route` and Firefox's proxy (firefox.py), so both browsers see the
    same pages at the same platform URLs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == UNIT_HOST and parts.scheme == "https":
        return 200, unit_page(), "text/html; charset=utf-8"
    page = page_for(host, parts.path)
    if page is None or parts.scheme != "https":
        return BLOCKED
    if parts.path.startswith("/__carelint_fixture__/"):
        file = fixture_bundles / Path(parts.path).name
        if file.suffix == ".js" and file.exists():
            return 200, file.read_bytes(), "text/javascript; charset=utf-8"
        return 404, b"", "text/plain"
    if parts.path == "/favicon.ico":
        return 204, b"", "text/plain"
    if page.name == "linkedin" and parts.path.startswith("/preload"):
        return 200, (PAGES / "linkedin-preload.html").read_bytes(), "text/html; charset=utf-8"
    return 200, (PAGES / page.page).read_bytes(), "text/html; charset=utf-8"


def _route(fixture_bundles: Path):
    def handler(route):
        host = urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost"):
            return route.continue_()
        answer = fixture_response(route.request.url, fixture_bundles)
        if answer is BLOCKED:
            return route.abort("blockedbyclient")
        status, body, content_type = answer
        return route.fulfill(status=status, body=body, content_type=content_type)

    return handler


def launch_with_extension(playwright, profile: str, fixture_bundles: Path):
    """Debian's Chromium with the unpacked extension, web traffic routed to the fixtures."""
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-features=Translate,MediaRouter,OptimizationHints",
        f"--disable-extensions-except={EXTENSION}",
        f"--load-extension={EXTENSION}",
    ]
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=chromium_path(),
        headless=os.environ.get("CARELINT_E2E_HEADED") != "1",
        args=args,
        viewport={"width": 1100, "height": 800},
        ignore_default_args=["--disable-extensions"],
    )
    # Only web traffic is routed; the extension's own chrome-extension:// pages load as usual.
    context.route(re.compile(r"^(https?|wss?)://"), _route(fixture_bundles))
    return context


# Errors logged by the extension's service worker (it may be restarted: watch each one).
WORKER_ERRORS: list[str] = []


def _watch_worker(worker):
    worker.on("console", lambda m: WORKER_ERRORS.append(f"worker {m.type}: {m.text}") if m.type == "error" else None)


@pytest.fixture(scope="session")
def browser_context(playwright, fixture_bundles, server):
    profile = tempfile.mkdtemp(prefix="carelint-chromium-")
    context = launch_with_extension(playwright, profile, fixture_bundles)
    context.on("serviceworker", _watch_worker)
    for w in context.service_workers:
        _watch_worker(w)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def extension_worker(context):
    workers = [w for w in context.service_workers if w.url.startswith("chrome-extension://")]
    return workers[0] if workers else context.wait_for_event("serviceworker", timeout=15000)


@pytest.fixture(scope="session")
def service_worker(browser_context):
    return extension_worker(browser_context)


@pytest.fixture(scope="session")
def extension_id(service_worker) -> str:
    return urlsplit(service_worker.url).hostname


class ExtensionStorage:
    """Writes the extension's settings the way api.md says tests do: from its service worker."""

    def __init__(self, worker, server):
        self.worker = worker
        self.server = server

    def set(self, **values):
        self.worker.evaluate("v => chrome.storage.local.set(v)", values)

    def get(self, *keys):
        return self.worker.evaluate("k => chrome.storage.local.get(k)", list(keys))

    def connect(self):
        self.worker.evaluate(
            "v => chrome.storage.local.clear().then(() => chrome.storage.local.set(v))",
            {"serverUrl": self.server["url"], "token": self.server["token"]},
        )


@pytest.fixture
def storage(service_worker, server):
    s = ExtensionStorage(service_worker, server)
    s.connect()
    yield s
    s.connect()


class ConsoleErrors(list):
    """Console errors of the pages a test opened, plus any the service worker logged meanwhile."""

    def __init__(self):
        super().__init__()
        self.worker_mark = len(WORKER_ERRORS)

    def all(self):
        return list(self) + WORKER_ERRORS[self.worker_mark :]

    def attach(self, page):
        page.on(
            "console",
            lambda m: self.append(f"console.{m.type}: {m.text} @ {m.location}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.append(f"pageerror: {e}"))


@pytest.fixture
def console_errors():
    return ConsoleErrors()


@pytest.fixture
def open_composer(browser_context, storage, console_errors):
    """Open a fixture composer page and return (page, Composer). Asserts no console errors."""
    pages = []

    def _open(name: str):
        composer = COMPOSERS.get(name) or RENAMED[name]
        page = browser_context.new_page()
        page.set_default_timeout(10000)
        console_errors.attach(page)
        pages.append(page)
        page.goto(composer.url)
        page.wait_for_function("n => document.documentElement.dataset.fixtureReady === n", arg=name)
        page.locator(composer.editor).wait_for()
        return page, composer

    yield _open
    for p in pages:
        p.close()
    errors = console_errors.all()
    assert not errors, "console errors:\n" + "\n".join(errors)
