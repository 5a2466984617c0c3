#!/usr/bin/env python3
"""Check labelled post files against LABELLING.md: python3 train/validate.py FILE.jsonl ..."""

import json
import sys

PLATFORMS = {"x", "facebook", "instagram", "linkedin", "tiktok", "threads", "bluesky", "mastodon", "youtube",
             "google", "yelp", "generic"}
KINDS = {"claim", "advice", "tone", "language"}


def problems(post: dict) -> list[str]:
    out = []
    text = post.get("text")
    if not isinstance(text, str) or not text.strip():
        return ["text: missing or empty"]
    for key in ("id", "author", "genre", "platform"):
        if not isinstance(post.get(key), str) or not post[key]:
            out.append(f"{key}: missing")
    if post.get("platform") not in PLATFORMS:
        out.append(f"platform: {post.get('platform')!r} is not one of {sorted(PLATFORMS)}")
    if not isinstance(post.get("phi"), list):
        out.append("phi: must be a list")
    if not isinstance(post.get("flags"), list):
        out.append("flags: must be a list")
    for span in post.get("phi") or []:
        if not isinstance(span, str) or span not in text:
            out.append(f"phi span not in text: {span!r}")
    for flag in post.get("flags") or []:
        if not isinstance(flag, dict) or flag.get("kind") not in KINDS:
            out.append(f"flag needs kind in {sorted(KINDS)}: {flag!r}")
        elif not isinstance(flag.get("text"), str) or flag["text"] not in text:
            out.append(f"flag span not in text: {flag.get('text')!r}")
    if post.get("disclaimer") not in (True, False, None):
        out.append("disclaimer: true, false or null")
    return out


def main(paths: list[str]) -> int:
    bad = 0
    seen: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    post = json.loads(line)
                except json.JSONDecodeError as exc:
                    print(f"{path}:{n}: not JSON: {exc}")
                    bad += 1
                    continue
                errs = problems(post)
                if post.get("id") in seen:
                    errs.append(f"duplicate id {post.get('id')!r}")
                seen.add(post.get("id"))
                for e in errs:
                    print(f"{path}:{n}: {e}")
                bad += bool(errs)
    print(f"{len(seen)} posts, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
