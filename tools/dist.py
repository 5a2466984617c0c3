"""`make dist`: the extension as dist/carelint-chrome.zip and dist/carelint-firefox.zip, from the
same sources. Firefox's manifest is generated here from Chrome's: MV3 with an event page
(`background.scripts`) instead of a service worker, a gecko id, `strict_min_version` 140 (the
CSS Custom Highlight API shipped in Firefox 140), `data_collection_permissions` saying nothing
is collected, and the composers' sites (the content scripts' matches) among `host_permissions`,
which Firefox grants at install and lets the user take back (the welcome page asks for them
again); Chrome's `key` and `minimum_chrome_version` are dropped. The JSDoc types
(`types/`) are for the type check only and ship in neither."""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
GECKO_ID = "carelint@carelint.org"
FIREFOX_MIN = "140.0"
LEFT_OUT = {"types", "README.md"}


def firefox_manifest(chrome: dict) -> dict:
    out = {k: v for k, v in chrome.items() if k not in ("key", "minimum_chrome_version")}
    worker = chrome["background"]["service_worker"]
    out["background"] = {"scripts": [worker], "type": chrome["background"].get("type", "classic")}
    sites = [m for s in chrome.get("content_scripts", []) for m in s.get("matches", [])]
    out["host_permissions"] = list(dict.fromkeys([*chrome.get("host_permissions", []), *sites]))
    out["browser_specific_settings"] = {
        "gecko": {"id": GECKO_ID, "strict_min_version": FIREFOX_MIN,
                  "data_collection_permissions": {"required": ["none"]}},
    }
    return out


def files() -> list[Path]:
    return sorted(p for p in EXTENSION.rglob("*")
                  if p.is_file() and p.relative_to(EXTENSION).parts[0] not in LEFT_OUT and p.name != "manifest.json")


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    chrome = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    made = []
    for name, manifest in (("chrome", chrome), ("firefox", firefox_manifest(chrome))):
        path = out_dir / f"carelint-{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            for f in files():
                z.write(f, f.relative_to(EXTENSION).as_posix())
        made.append(path)
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "dist")
    for path in build(ap.parse_args().out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
