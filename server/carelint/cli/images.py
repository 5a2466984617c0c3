"""`carelint check-image FILE…`: text in the picture, faces, and location and names in the metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from carelint.cli.common import SEVERITY_STYLE, err, load_checker, load_policy, load_settings, out_console


def check_image(
    files: Annotated[list[Path], typer.Argument(help="Images to check (PNG, JPEG, WebP; HEIC with pillow-heif).")],
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Check photos for PHI: text in the picture, faces, location and names in the metadata.
    Exit code 1 when a high-severity finding remains, 2 when a file could not be checked."""
    # Here, not at the top: carelint.images loads the engine (spaCy), OpenCV and the OCR engine.
    from carelint.images import ImageError, check_image_file

    if output_format not in ("text", "json"):
        err.print("[red]--format must be text or json.[/red]")
        raise typer.Exit(2)
    settings = load_settings()
    policy = load_policy(settings)
    checker = load_checker(settings.model)
    out = out_console()
    failed = high = False
    reports = []
    for path in files:
        try:
            result = check_image_file(path, checker, policy)
        except (OSError, ImageError) as exc:
            failed = True
            message = exc.message if isinstance(exc, ImageError) else (exc.strerror or str(exc))
            # One line per file, however long its path (rich would wrap it at the console width).
            err.print(f"[red]{escape(str(path))}: {escape(message)}[/red]", soft_wrap=True)
            continue
        high |= result.has_high
        if output_format == "json":
            reports.append({"file": str(path), **result.to_dict()})
            continue
        for f in result.findings:
            style = SEVERITY_STYLE[f.severity]
            box = "box=[" + ",".join(map(str, f.box)) + "]" if f.box is not None else "box=none"
            shown = f" [dim]({escape(repr(f.text))})[/dim]" if f.text else ""
            out.print(f"{escape(str(path))}: [{style}]{f.severity}[/{style}] {f.category} {f.rule} "
                      f"{escape(f.message)} {box}{shown}")
        if not result.findings:
            out.print(f"{escape(str(path))}: no findings")
    if output_format == "json":
        typer.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    # An image that could not be checked is not a pass: it outranks findings.
    raise typer.Exit(2 if failed else 1 if high else 0)
