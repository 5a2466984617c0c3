"""Who may call and how: no secret without the token, one-time sign-in links, session cookies
that only the server's own page can use, pairing with a fingerprint, extension origins."""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carelint.api.origins import CHROME_EXTENSION_ID, CHROME_ORIGIN
from carelint.api.session import SESSION_COOKIE, fingerprint
from carelint.app import create_app
from carelint.settings import RuntimeSettings

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "http://127.0.0.1:8787"
FIREFOX_ORIGIN = "moz-extension://0b6f1c8e-3a52-4c1e-9f7d-2a7c9d1e5f10"
MANIFEST = Path(__file__).parents[2] / "extension" / "manifest.json"


@pytest.fixture()
def app(tmp_path, checker):
    return create_app(RuntimeSettings(config_dir=tmp_path / "config", token=TOKEN, workers=1), checker=checker)


@pytest.fixture()
def client(app):
    return TestClient(app, base_url=BASE)


def sign_in(client) -> None:
    url = client.post("/v1/login-links", headers=AUTH).json()["url"]
    assert url.startswith(f"{BASE}/login?code=")
    r = client.get(url.removeprefix(BASE), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_nothing_secret_without_the_token(client):
    for path in ("/", "/static/index.html", "/static/playground.js", "/v1/health"):
        assert TOKEN not in client.get(path).text
    for path in ("/v1/settings", "/v1/pairing", "/v1/rules", "/openapi.json"):
        assert client.get(path).status_code == 401, path
    assert client.put("/v1/settings", json={"disabled_rules": ["phi.patient-name"]}).status_code == 401


def test_a_login_link_signs_the_browser_in_once(client):
    sign_in(client)
    page = client.get("/")
    assert 'id="post-text"' in page.text and TOKEN not in page.text  # the playground, no token in it
    # The signed-in page calls the API with its cookie, no token.
    r = client.post("/v1/check", json={"text": "Our patient Maria Gonzalez went home."},
                    headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and any(f["text"] == "Maria Gonzalez" for f in r.json()["findings"])
    assert client.get("/v1/pairing").json() == {"server": BASE, "token": TOKEN, "fingerprint": fingerprint(TOKEN)}


def test_a_login_link_works_only_once(client):
    url = client.post("/v1/login-links", headers=AUTH).json()["url"].removeprefix(BASE)
    assert client.get(url, follow_redirects=False).status_code == 303
    other = TestClient(client.app, base_url=BASE)
    again = other.get(url, follow_redirects=False)
    assert again.status_code == 401 and SESSION_COOKIE not in again.headers.get("set-cookie", "")
    assert other.get("/v1/settings").status_code == 401


def test_forged_and_foreign_session_cookies_are_refused(client):
    sign_in(client)
    cookie = client.cookies[SESSION_COOKIE]
    forged = TestClient(client.app, base_url=BASE, cookies={SESSION_COOKIE: cookie.split(".")[0] + ".00"})
    assert forged.get("/v1/settings").status_code == 401
    # Another local program's page (same site, other port) cannot ride on the cookie.
    r = client.put("/v1/settings", json={}, headers={"Origin": "http://127.0.0.1:9999"})
    assert r.status_code == 403
    r = client.put("/v1/settings", json={}, headers={"Sec-Fetch-Site": "same-site"})
    assert r.status_code == 401
    # A state change with the cookie needs the page's own Origin.
    assert client.put("/v1/settings", json={}).status_code == 401
    assert client.put("/v1/settings", json={}, headers={"Origin": BASE}).status_code == 200


def test_a_new_token_ends_old_sessions(tmp_path, checker, client):
    sign_in(client)
    cookie = client.cookies[SESSION_COOKIE]
    other = create_app(RuntimeSettings(config_dir=tmp_path / "c2", token="another-token-456", workers=1),
                       checker=checker)
    assert TestClient(other, base_url=BASE, cookies={SESSION_COOKIE: cookie}).get("/v1/settings").status_code == 401


def test_the_fingerprint_is_short_stable_and_not_the_token():
    fp = fingerprint(TOKEN)
    assert len(fp) == 14 and fp.count("-") == 2 and fp == fingerprint(TOKEN) != fingerprint(TOKEN + "x")
    assert TOKEN not in fp


def test_only_carelints_extension_origin_gets_cors(client):
    ours = client.post("/v1/check", json={"text": "hi"}, headers={**AUTH, "Origin": CHROME_ORIGIN})
    assert ours.status_code == 200 and ours.headers["access-control-allow-origin"] == CHROME_ORIGIN
    other = client.post("/v1/check", json={"text": "hi"},
                        headers={**AUTH, "Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"})
    assert other.status_code == 403 and "access-control-allow-origin" not in other.headers


def test_the_manifest_key_gives_the_extension_id_the_server_trusts():
    key = json.loads(MANIFEST.read_text())["key"]
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    assert "".join(chr(ord("a") + int(c, 16)) for c in digest) == CHROME_EXTENSION_ID


def test_a_firefox_install_registers_its_origin_with_the_token(client, app, tmp_path):
    refused = client.post("/v1/check", json={"text": "hi"}, headers={**AUTH, "Origin": FIREFOX_ORIGIN})
    assert refused.status_code == 403
    assert client.post("/v1/extension-origin", headers={"Origin": FIREFOX_ORIGIN}).status_code == 401
    r = client.post("/v1/extension-origin", headers={**AUTH, "Origin": FIREFOX_ORIGIN})
    assert r.status_code == 200 and r.json() == {"origin": FIREFOX_ORIGIN}
    ok = client.post("/v1/check", json={"text": "hi"}, headers={**AUTH, "Origin": FIREFOX_ORIGIN})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == FIREFOX_ORIGIN
    # Kept across restarts, in a private file.
    stored = tmp_path / "config" / "extension-origins"
    assert FIREFOX_ORIGIN in stored.read_text() and stored.stat().st_mode & 0o077 == 0
    web = client.post("/v1/extension-origin", headers={**AUTH, "Origin": "https://evil.example"})
    assert web.status_code == 403


def test_openapi_is_served_behind_the_token_with_request_bodies(client):
    doc = client.get("/openapi.json", headers=AUTH).json()
    body = doc["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CheckRequest"}
    assert "text" in doc["components"]["schemas"]["CheckRequest"]["properties"]
    assert "staff_names" in doc["components"]["schemas"]["Policy"]["properties"]
