"""The command line: serve, check, token, open, rules, check-image, audit, service.

This package only assembles the typer app. Each command family is a module (check.py, serve.py,
images.py, audit.py) built on common.py (settings, policy, token and checker loading with exit
code 2, the severity styles, the consoles); the features they run (the engine, carelint.audit,
carelint.images) never import the command line.
"""

from __future__ import annotations

import typer

from carelint import __version__
from carelint.cli import audit, check, images, serve, service

app = typer.Typer(help="Carelint: check healthcare social posts for PHI and risky claims, locally.",
                  no_args_is_help=True, add_completion=False)


def _version(value: bool) -> None:
    if value:
        print(f"carelint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version (the extension's is the same) and exit."),
) -> None:
    """Carelint: check healthcare social posts for PHI and risky claims, locally."""

app.command()(serve.serve)
app.command()(check.check)
app.command()(serve.token)
app.command("open")(serve.open_page)
app.command()(check.rules)
app.command("check-image")(images.check_image)
app.command()(audit.audit)
app.add_typer(service.app, name="service")


def main() -> None:
    app()
