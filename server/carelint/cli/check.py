"""`carelint check FILE` (one post) and `carelint rules` (every rule with its source)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from carelint.cli.common import SEVERITY_STYLE, err, load_checker, load_policy, load_settings, out_console
from carelint.language import supported as supported_languages
from carelint.platforms import PLATFORMS


def check(
    file: Annotated[str, typer.Argument(help="A text file to check, or - for standard input.")],
    platform: Annotated[str, typer.Option(help=f"One of: {', '.join(PLATFORMS)}.")] = "generic",
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Annotated[str | None, typer.Option(help=f"The post's language ({', '.join(supported_languages())}); "
                                                  "default: each paragraph's own.")] = None,
) -> None:
    """Check a post. Exit code 1 when a high-severity finding remains, 0 otherwise."""
    if platform not in PLATFORMS:
        err.print(f"[red]Unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}.[/red]")
        raise typer.Exit(2)
    if lang is not None and lang not in supported_languages():
        err.print(f"[red]Unknown language {lang!r}; choose one of {', '.join(supported_languages())}.[/red]")
        raise typer.Exit(2)
    if output_format not in ("text", "json"):
        err.print("[red]--format must be text or json.[/red]")
        raise typer.Exit(2)
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]Cannot read {file}: {exc}[/red]")
        raise typer.Exit(2) from None
    settings = load_settings()
    result = load_checker(settings.model).check(text, platform, "codepoint", load_policy(settings), lang=lang)
    name = "<stdin>" if file == "-" else file
    if output_format == "json":
        payload = {
            "file": name,
            "findings": [dataclasses.asdict(f) for f in result.findings],
            "disclaimer": result.disclaimer.__dict__,
            "platform": result.platform.__dict__,
            "lang": result.lang,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out = out_console()
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


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


# Safe Harbor identifiers no rule looks for, said rather than implied.
NOT_DETECTED = ("Not detected: HIPAA Safe Harbor (P) biometric identifiers (finger and voice prints); "
                "Carelint has no check for them, so review such content by hand.")


def rules(output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text") -> None:
    """List every rule with its category, severity and source."""
    # Here, not at the top: carelint.images loads the engine (spaCy) and OpenCV.
    from carelint.images import IMAGE_RULES

    catalogue = load_checker(load_settings().model).rule_catalogue() + IMAGE_RULES
    if output_format == "json":
        typer.echo(json.dumps(catalogue, ensure_ascii=False, indent=2))
        return
    out = out_console()
    for r in catalogue:
        url = f" {r['source_url']}" if r.get("source_url") else ""
        out.print(f"{r['id']:<36} {r['category']:<9} {r['severity']:<7} {r['message']} [dim]— {r['source']}{url}[/dim]")
    out.print(f"{len(catalogue)} rules")
    out.print(NOT_DETECTED)
