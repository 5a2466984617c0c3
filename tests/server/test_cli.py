"""The CLI: check's output format and exit codes, token, rules, serve's loopback refusal."""

import json

import pytest
from typer.testing import CliRunner

from carelint import cli
from carelint.engine import Checker


@pytest.fixture()
def runner(monkeypatch, tmp_path, nlp):
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("CARELINT_TOKEN", raising=False)
    # Reuse the session's pipeline instead of loading the model again for every invocation.
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp, **kw)))
    return CliRunner()


def test_check_prints_file_line_col_and_exits_1_on_high(runner, tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Flu shots today!\nCongrats to our patient Maria Gonzalez 🎉\n", encoding="utf-8")
    r = runner.invoke(cli.app, ["check", str(post)])
    assert r.exit_code == 1, r.output
    assert f"{post}:2:25 high phi phi.patient-name" in r.output


def test_check_clean_post_exits_0(runner, tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Our lobby cafe now serves oat milk lattes.", encoding="utf-8")
    r = runner.invoke(cli.app, ["check", str(post)])
    assert r.exit_code == 0, r.output


def test_check_reads_stdin_as_json(runner):
    r = runner.invoke(cli.app, ["check", "-", "--format", "json", "--platform", "x"],
                      input="Call Aisha at 617.555.0142 about her MRI results.")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert out["file"] == "<stdin>" and out["platform"]["name"] == "x"
    assert {"Aisha", "617.555.0142"} <= {f["text"] for f in out["findings"]}


def test_check_takes_the_posts_language(runner):
    r = runner.invoke(cli.app, ["check", "-", "--format", "json", "--lang", "es"],
                      input="Felicitamos a nuestro paciente Julio Ramírez por su cirugía de cadera.")
    out = json.loads(r.output)
    assert r.exit_code == 1 and out["lang"] == "es"
    assert any(f["text"] == "Julio Ramírez" and f["lang"] == "es" for f in out["findings"])


@pytest.mark.parametrize("args", [
    ["check", "/nonexistent/post.txt"],
    ["check", "-", "--platform", "myspace"],
    ["check", "-", "--format", "xml"],
    ["check", "-", "--lang", "fr"],
    ["check"],
    ["nonsense-command"],
])
def test_usage_errors_exit_2(runner, args):
    assert runner.invoke(cli.app, args, input="hi").exit_code == 2


def test_token_is_stable_and_overridable(runner, monkeypatch):
    first = runner.invoke(cli.app, ["token"]).output.strip()
    assert len(first) >= 32 and runner.invoke(cli.app, ["token"]).output.strip() == first
    monkeypatch.setenv("CARELINT_TOKEN", "from-env")
    assert runner.invoke(cli.app, ["token"]).output.strip() == "from-env"


def test_rules_lists_sources(runner):
    r = runner.invoke(cli.app, ["rules", "--format", "json"])
    assert r.exit_code == 0
    rules = json.loads(r.output)
    assert any(x["id"] == "phi.patient-name" for x in rules) and all(x["source"] for x in rules)


def test_serve_refuses_a_non_loopback_host(runner):
    r = runner.invoke(cli.app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "Refusing to bind" in r.output


@pytest.mark.parametrize(("variable", "value", "command"), [
    ("CARELINT_WORKERS", "20", ["serve"]),
    ("CARELINT_PORT", "abc", ["token"]),
    ("CARELINT_CACHE_SIZE", "lots", ["check", "-"]),
])
def test_an_invalid_environment_variable_is_named(runner, monkeypatch, variable, value, command):
    monkeypatch.setenv(variable, value)
    r = runner.invoke(cli.app, command, input="hello")
    assert r.exit_code == 2, r.output
    assert f"Invalid setting: {variable}='{value}'" in r.output and "Traceback" not in r.output


def test_missing_model_is_a_clear_usage_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("CARELINT_MODEL", "en_core_web_nonexistent")
    r = CliRunner().invoke(cli.app, ["check", "-"], input="hello")
    assert r.exit_code == 2 and "is not installed" in r.output
