"""Labelled posts (LABELLING.md) as evaluation cases in the dev set's shape (bench/evaluate.py):
`phi`, `tone` (every flag's text), `phi_clean`, `tone_clean`, `disclaimer`."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load_posts(paths: list[Path] | None = None) -> list[dict]:
    paths = paths or sorted(DATA.glob("*.jsonl"))
    return [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def as_case(post: dict) -> dict:
    if "flags" not in post:  # already in the dev set's shape
        return post
    return {
        "id": post["id"], "text": post["text"], "platform": _platform(post["platform"]),
        "phi": list(post["phi"]), "tone": [f["text"] for f in post["flags"]],
        "phi_clean": not post["phi"], "tone_clean": not post["flags"], "disclaimer": post.get("disclaimer"),
    }


def _platform(name: str) -> str:
    # Review replies are typed into Google's and Yelp's own boxes; their length rules are generic.
    return "generic" if name in ("google", "yelp") else name


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[2])
    posts = load_posts([Path(sys.argv[1])])
    out.write_text("".join(json.dumps(as_case(p), ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
