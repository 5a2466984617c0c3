"""The command line: serve, check, check-image, audit, token, rules."""

from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from carelint import __version__
from carelint.audit.cli import audit
from carelint.images.cli import check_image
from carelint.platforms import PLATFORMS
from carelint.settings import InvalidEnvironment, PolicyStore, RuntimeSettings, load_runtime_settings

app = typer.Typer(help="Carelint: check healthcare social posts for PHI and risky claims, locally.",
                  no_args_is_help=True, add_completion=False)
err = Console(stderr=True)

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _settings(**overrides) -> RuntimeSettings:
    """The run-time settings, or exit 2 with the variable that is wrong."""
    try:
        return load_runtime_settings(**overrides)
    except InvalidEnvironment as exc:
        err.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; loopback only unless --allow-remote.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8787,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback host (exposes post text to the network).")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(min=0, max=8, help="Processes that check posts (0: auto, 2 on Linux). "
                                 "Overrides CARELINT_WORKERS.")
    ] = None,
) -> None:
    """Start the local API server and the playground page."""
    if not _is_loopback(host) and not allow_remote:
        err.print(f"[red]Refusing to bind {host}: Carelint serves loopback only. "
                  "Pass --allow-remote to override (not recommended).[/red]")
        raise typer.Exit(2)
    if not _is_loopback(host):
        err.print(f"[yellow]Warning: binding {host} exposes the API beyond this machine.[/yellow]")
    import uvicorn

    from carelint.api.pages import login_url
    from carelint.api.session import fingerprint
    from carelint.app import StartupError, create_app

    settings = _settings(host=host, port=port, **({} if workers is None else {"workers": workers}))
    err.print("Loading the language model…")
    try:
        application = create_app(settings, checker=_load_checker(settings.model, settings.check_budget_ms / 1000))
    except StartupError as exc:
        err.print(exc.message, style="red", markup=False)
        raise typer.Exit(2) from None
    state = application.state.carelint
    base = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    lanes = state.batcher.lanes
    err.print(f"[bold green]Carelint {__version__} is running at {base}/[/bold green] "
              f"(checking in {lanes} process{'es' if lanes > 1 else ''})")
    # The one-time link signs this user's browser in; the page itself never shows the token.
    err.print(f"Open: {login_url(state, base)}", markup=False, soft_wrap=True)
    err.print(f"Pairing fingerprint: [bold]{fingerprint(state.token)}[/bold]  (the extension shows it "
              "when you pair; confirm only if they match)")
    err.print("Browser extension: chrome://extensions → Developer mode → Load unpacked → the "
              "repository's extension/ folder, then open the link above and click 'Pair'. "
              "A new link: `carelint open`.")
    # A check thread holds the GIL for milliseconds at a time; a shorter switch interval (default
    # 5 ms) lets the event loop read the next requests and feed the forked analyser meanwhile
    # (measured: 8 clients, 106 -> 129 checks/s).
    sys.setswitchinterval(0.001)
    # The access log records method, path and status only: never a body, so never post text.
    uvicorn.run(application, host=host, port=port, log_level="info", server_header=False)


@app.command()
def check(
    file: Annotated[str, typer.Argument(help="A text file to check, or - for standard input.")],
    platform: Annotated[str, typer.Option(help=f"One of: {', '.join(PLATFORMS)}.")] = "generic",
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Check a post. Exit code 1 when a high-severity finding remains, 0 otherwise."""
    if platform not in PLATFORMS:
        err.print(f"[red]Unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}.[/red]")
        raise typer.Exit(2)
    if output_format not in ("text", "json"):
        err.print("[red]--format must be text or json.[/red]")
        raise typer.Exit(2)
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]Cannot read {file}: {exc}[/red]")
        raise typer.Exit(2) from None
    settings = _settings()
    result = _load_checker(settings.model).check(text, platform, "codepoint", _load_policy(settings))
    name = "<stdin>" if file == "-" else file
    if output_format == "json":
        payload = {
            "file": name,
            "findings": [f.__dict__ for f in result.findings],
            "disclaimer": result.disclaimer.__dict__,
            "platform": result.platform.__dict__,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out = Console(highlight=False, soft_wrap=True)
        for f in result.findings:
            line, col = _line_col(text, f.start)
            style = SEVERITY_STYLE[f.severity]
            out.print(f"{name}:{line}:{col} [{style}]{f.severity}[/{style}] {f.category} {f.rule} "
                      f"{f.message} [dim]({f.text!r})[/dim]")
        if result.disclaimer.needed:
            out.print(f"{name}: [yellow]disclaimer needed[/yellow]: {result.disclaimer.suggested}")
        p = result.platform
        if p.remaining < 0:
            out.print(f"{name}: [red]{-p.remaining} characters over {p.name}'s {p.limit} limit[/red]")
    raise typer.Exit(1 if any(f.severity == "high" for f in result.findings) else 0)


def _load_policy(settings: RuntimeSettings):
    """The organisation's policy, or a clear message and exit code 2 when its file is invalid."""
    try:
        return PolicyStore(settings.policy_path).load()
    except (ValueError, OSError) as exc:
        err.print(f"Settings file {settings.policy_path} cannot be used: {exc}", style="red", markup=False)
        raise typer.Exit(2) from None


def _load_checker(model: str, budget_s: float | None = None):
    """The engine, or a clear message and exit code 2 when the model is missing."""
    from carelint.engine import Checker
    from carelint.nlp import ModelNotFound

    try:
        return Checker.from_model(model, budget_s=budget_s)
    except ModelNotFound as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


@app.command()
def token() -> None:
    """Print the API token (created on first use)."""
    settings = _settings()
    typer.echo(_token(settings))


def _token(settings: RuntimeSettings) -> str:
    from carelint.token import TokenError, load_or_create_token

    try:
        return load_or_create_token(settings.token_path, settings.token)
    except TokenError as exc:
        err.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from None


@app.command("open")
def open_page(
    port: Annotated[int, typer.Option(min=1, max=65535, help="The running server's port.")] = 8787,
    print_only: Annotated[bool, typer.Option("--print", help="Print the link instead of opening a browser.")] = False,
) -> None:
    """Open the playground of the running server in the browser, signed in (a one-time link)."""
    import urllib.error
    import urllib.request

    settings = _settings()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/login-links", method="POST", data=b"",
                                     headers={"Authorization": f"Bearer {_token(settings)}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            url = json.load(r)["url"]
    except urllib.error.HTTPError as exc:
        err.print(f"The server on port {port} refused the token (HTTP {exc.code}).", style="red")
        raise typer.Exit(2) from None
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        err.print(f"No Carelint server answers on port {port}: start one with `carelint serve`.", style="red")
        raise typer.Exit(2) from None
    if print_only:
        typer.echo(url)
        return
    import webbrowser

    if not webbrowser.open(url):
        typer.echo(url)  # no browser here: the user opens it wherever they are


@app.command()
def rules(output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text") -> None:
    """List every rule with its category, severity and source."""
    from carelint.images import IMAGE_RULES

    catalogue = _load_checker(_settings().model).rule_catalogue() + IMAGE_RULES
    if output_format == "json":
        typer.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False, soft_wrap=True)
    for r in catalogue:
        out.print(f"{r['id']:<36} {r['category']:<9} {r['severity']:<7} {r['message']} [dim]— {r['source']}[/dim]")
    out.print(f"{len(catalogue)} rules")


app.command("check-image")(check_image)
app.command()(audit)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
