"""Pathological and hostile input: every bad request is a 4xx with the contract's body, every
bad file or setting a one-line CLI error with exit 2; nothing is a 500 or a traceback."""

import json
import logging
import random

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carelint import cli
from carelint.app import StartupError, create_app
from carelint.engine import Checker
from carelint.settings import RuntimeSettings

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {**AUTH, "Content-Type": "application/json"}
RNG = random.Random(7)

UNSPACED = {
    "emoji": "😀" * 20_000,
    "punctuation": "!?" * 20_000,
    "hash": "".join(RNG.choice("0123456789abcdef") for _ in range(50_000)),
    "url": "https://example.com/?" + "a=b&" * 12_000,
    "zwj-family": "👩‍👩‍👧‍👦" * 5_000,
    "mixed": "".join(RNG.choice(["😀", "👍🏽", "a", "1", ".", "@"]) for _ in range(50_000)),
}


@pytest.fixture()
def client(tmp_path, checker):
    settings = RuntimeSettings(config_dir=tmp_path / "config", token=TOKEN, workers=1)
    return TestClient(create_app(settings, checker=checker), base_url="http://127.0.0.1:8787")


def assert_contract_error(r, status):
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] and error["message"] and "Traceback" not in error["message"]


@pytest.mark.parametrize("name", sorted(UNSPACED))
def test_unspaced_runs_are_checked_with_their_offsets_intact(client, name):
    text = f"Our patient Maria Gonzalez {UNSPACED[name]} went home."
    r = client.post("/v1/check", json={"text": text, "offset_unit": "utf16"}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["complete"] is True  # the test client's checker has no time budget
    units = text.encode("utf-16-le")
    for f in body["findings"]:
        assert units[f["start"] * 2 : f["end"] * 2].decode("utf-16-le") == f["text"]
    assert any(f["text"] == "Maria Gonzalez" for f in body["findings"])


@pytest.mark.parametrize("path", ["/v1/check", "/v1/settings"])
def test_json_nested_thousands_deep_is_a_422(client, path):
    body = ("[" * 5000 + "]" * 5000).encode()
    method = client.post if path == "/v1/check" else client.put
    assert_contract_error(method(path, content=body, headers=JSON), 422)
    inner = b'{"text": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    assert_contract_error(method(path, content=inner, headers=JSON), 422)


def test_numbers_of_thousands_of_digits_are_a_422(client):
    body = b'{"text": "hi", "platform": ' + b"9" * 5000 + b"}"
    assert_contract_error(client.post("/v1/check", content=body, headers=JSON), 422)
    assert_contract_error(client.put("/v1/settings", content=b'{"staff_names": [' + b"1" * 5000 + b"]}",
                                     headers=JSON), 422)


def test_a_lone_surrogate_in_the_settings_is_a_422_and_leaves_no_file(client, tmp_path):
    r = client.put("/v1/settings", content=b'{"staff_names": ["Dr. Ana \\ud800 Lee"]}', headers=JSON)
    assert_contract_error(r, 422)
    assert "staff_names" in r.json()["error"]["message"]
    assert not list((tmp_path / "config").glob("settings*"))


@pytest.mark.parametrize("seed", range(6))
def test_random_bytes_are_a_4xx(client, seed):
    data = random.Random(seed).randbytes(2000)
    for path, method in (("/v1/check", client.post), ("/v1/settings", client.put)):
        r = method(path, content=data, headers=JSON)
        assert 400 <= r.status_code < 500, (path, r.status_code)


def test_giant_fields_are_refused_by_name(client):
    r = client.put("/v1/settings", json={"staff_names": ["x" * 500]}, headers=AUTH)
    assert_contract_error(r, 422)
    assert "staff_names" in r.json()["error"]["message"]
    r = client.post("/v1/check", json={"text": "x" * 100_001}, headers=AUTH)
    assert_contract_error(r, 422)


def test_405_names_the_allowed_methods(client):
    r = client.delete("/v1/settings", headers=AUTH)
    assert_contract_error(r, 405)
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "PUT"}


def test_a_disconnect_mid_upload_is_no_500_and_no_error_in_the_log(checker, tmp_path, caplog):
    """The ASGI app itself, fed an upload that stops with http.disconnect (as uvicorn does)."""
    import asyncio

    app = create_app(RuntimeSettings(config_dir=tmp_path, token=TOKEN, workers=1), checker=checker)
    messages = [{"type": "http.request", "body": b'{"text": "ha', "more_body": True}, {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/check", "raw_path": b"/v1/check", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8787"), (b"content-type", b"application/json"),
                         (b"authorization", f"Bearer {TOKEN}".encode())],
             "scheme": "http", "server": ("127.0.0.1", 8787), "client": ("127.0.0.1", 5000), "http_version": "1.1",
             "asgi": {"version": "3.0"}, "root_path": ""}
    # Its own thread and loop: the Playwright suite earlier in the same session leaves a loop
    # running in the main thread.
    import threading

    with caplog.at_level(logging.ERROR, logger="carelint"):
        runner = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))
        runner.start()
        runner.join(30)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400


# --- start-up and the CLI ---------------------------------------------------------------------

@pytest.fixture()
def runner(monkeypatch, tmp_path, nlp):
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("CARELINT_TOKEN", raising=False)
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp, **kw)))
    return CliRunner()


def one_line_error(result) -> str:
    out = result.output.strip()
    assert "Traceback" not in out and result.exception is None or isinstance(result.exception, SystemExit)
    return out


def test_check_with_an_unreadable_settings_file_exits_2(runner, tmp_path, monkeypatch):
    settings = tmp_path / "cfg" / "settings.toml"
    settings.parent.mkdir()
    settings.write_text('staff_names = ["Dr. Lee"]\n')
    real_open = type(settings).open

    def refuse(self, *args, **kwargs):  # as chmod 0 would, also when the tests run as root
        if self.name == "settings.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(settings), "open", refuse)
    r = runner.invoke(cli.app, ["check", "-"], input="hi")
    assert r.exit_code == 2 and "settings.toml" in one_line_error(r)


@pytest.mark.parametrize("damage", ["directory", "binary", "wrong-type"])
def test_check_with_a_damaged_settings_file_exits_2_with_one_line(runner, tmp_path, damage):
    settings = tmp_path / "cfg" / "settings.toml"
    settings.parent.mkdir()
    if damage == "directory":
        settings.mkdir()
    elif damage == "binary":
        settings.write_bytes(b"\xff\xfe\x00garbage")
    else:
        settings.write_text('staff_names = "not a list"\n')
    r = runner.invoke(cli.app, ["check", "-"], input="hi")
    assert r.exit_code == 2, r.output
    assert "settings.toml" in one_line_error(r)


@pytest.mark.parametrize("damage", ["directory", "binary"])
def test_token_file_problems_are_one_line_with_exit_2(runner, tmp_path, damage):
    token = tmp_path / "cfg" / "token"
    token.parent.mkdir()
    if damage == "directory":
        token.mkdir()
    else:
        token.write_bytes(b"\xff\xfe\xfa")
    r = runner.invoke(cli.app, ["token"])
    assert r.exit_code == 2 and "token" in one_line_error(r)


def test_start_up_with_a_damaged_token_file_is_a_startup_error(checker, tmp_path):
    (tmp_path / "token").mkdir()
    with pytest.raises(StartupError) as raised:
        create_app(RuntimeSettings(config_dir=tmp_path, workers=1), checker=checker)
    assert "token" in raised.value.message and "\n" not in raised.value.message


@pytest.mark.parametrize("name", ["emoji", "hash", "mixed"])
def test_cli_check_of_unspaced_runs_answers(runner, name):
    r = runner.invoke(cli.app, ["check", "-", "--format", "json"], input=f"Our patient Maria Gonzalez {UNSPACED[name]}")
    assert r.exit_code == 1  # the name is found
    assert any(f["text"] == "Maria Gonzalez" for f in json.loads(r.output)["findings"])
