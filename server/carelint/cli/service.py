"""`carelint service install|uninstall|status`: the server starts with the user's session
(carelint/service.py writes the platform's files and drives its service manager)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from carelint import service
from carelint.cli.common import err

app = typer.Typer(help="Start the server with your session (systemd user unit, LaunchAgent, Startup folder).",
                  no_args_is_help=True)

LINGER_NOTE = ("Linux: the server starts when you sign in and stops when your last session ends. "
               "`loginctl enable-linger $USER` keeps it running from boot, without a session (not needed "
               "for a desktop where you sign in to post).")


@app.command()
def install(port: Annotated[int, typer.Option(min=1, max=65535, help="Port the server listens on.")] = 8787) -> None:
    """Write the service files for this platform and start the server now."""
    try:
        written = service.install(port)
    except service.ServiceError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    for path in written:
        print(f"wrote {path}")
    print(f"Carelint starts with your session and restarts after a crash: http://127.0.0.1:{port}/")
    if sys.platform.startswith("linux"):
        print(LINGER_NOTE)


@app.command()
def uninstall() -> None:
    """Stop the server and remove every file `install` wrote."""
    try:
        removed = service.uninstall()
    except service.ServiceError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    for path in removed:
        print(f"removed {path}")
    if not removed:
        print("Nothing to remove: the service is not installed.")


@app.command()
def status(port: Annotated[int, typer.Option(min=1, max=65535, help="Port to ask.")] = 8787) -> None:
    """Whether the service is installed and running, and whether the server answers /v1/health."""
    import httpx

    try:
        state = service.manager_state()
    except service.ServiceError as exc:
        state = str(exc)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2.0)
        answers = health.status_code == 200 and health.json().get("status") == "ok"
    except (httpx.HTTPError, ValueError):
        answers = False
    print(f"service: {state}")
    print(f"server on port {port}: {'answers /v1/health' if answers else 'does not answer'}")
    raise typer.Exit(0 if answers else 1)
