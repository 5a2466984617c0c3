"""The local server: `carelint serve` starts it, `carelint open` signs a browser in to it,
`carelint token` prints the token it asks for."""

from __future__ import annotations

import ipaddress
import json
import sys
from typing import Annotated

import typer

from carelint import __version__
from carelint.cli.common import err, load_checker, load_settings, load_token


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
    # Here, not at the top: the web layer (FastAPI, uvicorn) is for this command only.
    import uvicorn

    from carelint.api.pages import login_url
    from carelint.api.session import fingerprint
    from carelint.app import StartupError, create_app

    settings = load_settings(host=host, port=port, **({} if workers is None else {"workers": workers}))
    err.print("Loading the language model…")
    try:
        application = create_app(settings, checker=load_checker(settings.model, settings.check_budget_ms / 1000))
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


def token() -> None:
    """Print the API token (created on first use)."""
    typer.echo(load_token(load_settings()))


def open_page(
    port: Annotated[int, typer.Option(min=1, max=65535, help="The running server's port.")] = 8787,
    print_only: Annotated[bool, typer.Option("--print", help="Print the link instead of opening a browser.")] = False,
) -> None:
    """Open the playground of the running server in the browser, signed in (a one-time link)."""
    import urllib.error
    import urllib.request

    settings = load_settings()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/login-links", method="POST", data=b"",
                                     headers={"Authorization": f"Bearer {load_token(settings)}"})
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
