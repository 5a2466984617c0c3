"""The HTTP contract (docs/api.md): responses, errors, guards, settings, playground."""

import os
import stat

import pytest
from fastapi.testclient import TestClient

from carelint.api.origins import CHROME_ORIGIN
from carelint.app import create_app
from carelint.schemas import CheckResponse
from carelint.settings import RuntimeSettings

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXT_ORIGIN = CHROME_ORIGIN  # Carelint's own extension (the manifest key fixes its ID)
OTHER_EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


@pytest.fixture()
def settings(tmp_path):
    return RuntimeSettings(config_dir=tmp_path / "config", token=TOKEN, max_body_bytes=50_000, workers=1)


@pytest.fixture()
def client(settings, checker):
    return TestClient(create_app(settings, checker=checker), base_url="http://127.0.0.1:8787")


def test_health_needs_no_token_and_says_which_model(client):
    r = client.get("/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["version"] and "core_web_sm" in body["model"]


def test_check_matches_the_contract_example(client):
    text = "Congrats to our patient Maria Gonzalez 🎉"
    r = client.post("/v1/check", json={"text": text, "platform": "instagram"}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    CheckResponse.model_validate(body)  # every field of the contract, with its type
    assert set(body) == {"findings", "disclaimer", "platform", "elapsed_ms", "complete", "unchecked", "lang"}
    assert body["complete"] is True and body["unchecked"] == []
    [f] = [f for f in body["findings"] if f["text"] == "Maria Gonzalez"]
    assert (f["start"], f["end"], f["category"], f["type"], f["rule"], f["severity"]) == (
        24, 38, "phi", "PERSON", "phi.patient-name", "high")
    assert f["source"].startswith("45 CFR") and f["message"]
    assert f["source_url"].startswith("https://www.ecfr.gov/")
    # After "our patient" the name goes; the edit takes the space before it with it.
    fix = f["fixes"][0]
    assert fix["label"] == "Remove the name"
    assert text[: fix["start"]] + fix["text"] + text[fix["end"] :] == "Congrats to our patient 🎉"
    assert body["platform"] == {"name": "instagram", "limit": 2200, "length": 40, "remaining": 2160}
    assert set(body["disclaimer"]) == {"needed", "present", "suggested"}
    assert body["elapsed_ms"] >= 0


def test_utf16_offsets_count_emoji_as_two_units(client):
    text = "🎉🎉 our patient Maria Gonzalez"
    cp = client.post("/v1/check", json={"text": text}, headers=AUTH).json()["findings"]
    u16 = client.post("/v1/check", json={"text": text, "offset_unit": "utf16"}, headers=AUTH).json()["findings"]
    a = next(f for f in cp if f["text"] == "Maria Gonzalez")
    b = next(f for f in u16 if f["text"] == "Maria Gonzalez")
    assert (b["start"], b["end"]) == (a["start"] + 2, a["end"] + 2)
    assert text.encode("utf-16-le")[b["start"] * 2 : b["end"] * 2].decode("utf-16-le") == "Maria Gonzalez"


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({}, 401, "unauthorized"),
    ({"Authorization": "Bearer wrong"}, 401, "unauthorized"),
    ({"Authorization": TOKEN}, 401, "unauthorized"),
    ({**AUTH, "Origin": "https://evil.example"}, 403, "forbidden_origin"),
    ({**AUTH, "Origin": "http://127.0.0.1:9999"}, 403, "forbidden_origin"),
    ({**AUTH, "Origin": OTHER_EXTENSION}, 403, "forbidden_origin"),
    ({**AUTH, "Host": "attacker.example:8787"}, 403, "forbidden_host"),
])
def test_refusals(client, headers, status, code):
    r = client.post("/v1/check", json={"text": "hi"}, headers=headers)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


def test_dns_rebinding_host_is_refused_even_for_health(client):
    r = client.get("/v1/health", headers={"Host": "rebind.attacker.example"})
    assert r.status_code == 403


def test_extension_origin_gets_cors_and_preflight(client):
    pre = client.options("/v1/check", headers={"Origin": EXT_ORIGIN, "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "authorization,content-type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == EXT_ORIGIN
    r = client.post("/v1/check", json={"text": "hi"}, headers={**AUTH, "Origin": EXT_ORIGIN})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == EXT_ORIGIN


@pytest.mark.parametrize("origin", ["https://evil.example", OTHER_EXTENSION, "http://localhost:9999"])
def test_other_origins_get_no_cors(client, origin):
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    r = client.options("/v1/check", headers=headers)
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers


def test_playground_origin_is_allowed(client):
    r = client.post("/v1/check", json={"text": "hi"}, headers={**AUTH, "Origin": "http://127.0.0.1:8787"})
    assert r.status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"text": 5}, "text"),
    ({}, "text"),
    ({"text": "x", "platform": "myspace"}, "platform"),
    ({"text": "x", "offset_unit": "bytes"}, "offset_unit"),
    ({"text": "x" * 100_001}, "text"),
])
def test_invalid_fields_are_422_naming_the_field(checker, tmp_path, body, field):
    app = create_app(RuntimeSettings(config_dir=tmp_path, token=TOKEN, workers=1), checker=checker)
    r = TestClient(app, base_url="http://127.0.0.1:8787").post("/v1/check", json=body, headers=AUTH)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_fields" and r.json()["error"]["message"].startswith(field)


def test_body_errors(client):
    plain = client.post("/v1/check", content=b"text=hi", headers={**AUTH, "Content-Type": "text/plain"})
    assert plain.status_code == 415
    bad = client.post("/v1/check", content=b"{nope", headers={**AUTH, "Content-Type": "application/json"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_json"
    arr = client.post("/v1/check", content=b"[1]", headers={**AUTH, "Content-Type": "application/json"})
    assert arr.status_code == 422
    big = client.post("/v1/check", json={"text": "a" * 60_000}, headers=AUTH)
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"


def test_body_limit_holds_without_content_length(client):
    def chunks():
        for _ in range(60):
            yield b"x" * 1000

    r = client.post("/v1/check", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413


def test_unknown_route_and_method_are_json(client):
    r = client.get("/v1/nothing", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.delete("/v1/check", headers=AUTH)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("text", ["", " ", "\u200b", "\r\n\r\n", "a" * 5000, "🎉" * 300, "\x00\x01",
                                  "Mr.\n\n\n@", "Rm 4 " * 400])
def test_odd_texts_never_fail(client, text):
    r = client.post("/v1/check", json={"text": text, "offset_unit": "utf16"}, headers=AUTH)
    assert r.status_code == 200, r.text


def test_lone_surrogate_is_replaced_without_moving_offsets(client):
    body = b'{"text": "\\ud83c our patient Maria Gonzalez", "offset_unit": "utf16"}'
    r = client.post("/v1/check", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 200
    f = next(f for f in r.json()["findings"] if f["text"] == "Maria Gonzalez")
    assert f["start"] == 14


def test_settings_round_trip_persist_as_toml(client, settings):
    assert client.get("/v1/settings", headers=AUTH).json()["staff_names"] == []
    new = {"staff_names": ["Dana Whitfield", " "], "org_phones": ["617-555-0100"], "disclaimer_short": "Not advice."}
    r = client.put("/v1/settings", json=new, headers=AUTH)
    assert r.status_code == 200 and r.json()["staff_names"] == ["Dana Whitfield"]
    saved = settings.policy_path.read_text()
    assert 'staff_names = [\n    "Dana Whitfield",\n]' in saved or 'staff_names = ["Dana Whitfield"]' in saved
    assert stat.S_IMODE(os.stat(settings.policy_path).st_mode) == 0o600
    assert client.get("/v1/settings", headers=AUTH).json()["disclaimer_short"] == "Not advice."
    text = "Big thanks to Dana Whitfield for the cookies after her shift in our ICU!"
    found = client.post("/v1/check", json={"text": text}, headers=AUTH).json()["findings"]
    assert not [f for f in found if f["text"] == "Dana Whitfield"]


@pytest.mark.parametrize(("body", "field"), [
    ({"staff_names": "Dana"}, "staff_names"),
    ({"unknown_key": 1}, "unknown_key"),
    ({"disclaimer_short": "x" * 300}, "disclaimer_short"),
])
def test_settings_validation_names_the_field(client, body, field):
    r = client.put("/v1/settings", json=body, headers=AUTH)
    assert r.status_code == 422 and field in r.json()["error"]["message"]


def test_rules_lists_phi_and_pack_rules_with_sources(client):
    rules = client.get("/v1/rules", headers=AUTH).json()["rules"]
    ids = {r["id"] for r in rules}
    assert "phi.patient-name" in ids
    assert {r["category"] for r in rules} >= {"phi", "claim", "advice", "tone", "language"}
    assert all(r["source"] and r["message"] for r in rules)
    assert all(r["source_url"].startswith("https://") for r in rules)


def test_pages_hold_no_secret_and_forbid_framing(client):
    r = client.get("/")
    assert r.status_code == 200 and TOKEN not in r.text and "carelint open" in r.text  # the sign-in page
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    for path in ("/static/playground.js", "/static/index.html", "/static/signin.html"):
        assert TOKEN not in client.get(path).text
    assert client.get("/static/playground.js").status_code == 200
    assert client.get("/favicon.ico").status_code == 204


def test_token_file_is_created_private(checker, tmp_path):
    settings = RuntimeSettings(config_dir=tmp_path / "cfg", workers=1)
    app = create_app(settings, checker=checker)
    token = app.state.carelint.token
    assert settings.token_path.read_text().strip() == token and len(token) >= 32
    assert stat.S_IMODE(os.stat(settings.token_path).st_mode) == 0o600
    again = create_app(settings, checker=checker).state.carelint.token
    assert again == token


def test_concurrent_checks_are_batched_and_each_gets_its_own_answer(client):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Our patient Maria Gonzalez{'!' * i} went home after her surgery." for i in range(12)]

    def check(text):
        return client.post("/v1/check", json={"text": text}, headers=AUTH).json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(check, texts))
    for text, body in zip(texts, answers, strict=True):
        CheckResponse.model_validate(body)
        assert all(text[f["start"]:f["end"]] == f["text"] for f in body["findings"])
        assert any(f["text"] == "Maria Gonzalez" for f in body["findings"])


def test_settings_defaults_are_the_texts_an_empty_setting_means(client):
    from carelint import disclaimer

    assert client.get("/v1/settings/defaults").status_code == 401
    r = client.get("/v1/settings/defaults", headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {"disclaimer_short": disclaimer.DEFAULT_SHORT, "disclaimer_long": disclaimer.DEFAULT_LONG}
