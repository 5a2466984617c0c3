"""`make dist`'s extension zips (tools/dist.py): one source tree, two manifests."""

import importlib.util
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("dist", ROOT / "tools" / "dist.py")
dist = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dist)


def manifest_of(path):
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json")), set(z.namelist())


def referenced(manifest):
    """Every file the manifest names: scripts, styles, pages, icons."""
    out = set(manifest["background"].get("scripts", []))
    if "service_worker" in manifest["background"]:
        out.add(manifest["background"]["service_worker"])
    for cs in manifest["content_scripts"]:
        out |= set(cs["js"]) | set(cs.get("css", []))
    out |= {manifest["action"]["default_popup"], manifest["options_ui"]["page"], *manifest["icons"].values()}
    return out


def test_both_zips_hold_every_file_their_manifest_names_and_no_type_declarations(tmp_path):
    chrome_zip, firefox_zip = dist.build(tmp_path)
    for path in (chrome_zip, firefox_zip):
        manifest, names = manifest_of(path)
        assert referenced(manifest) <= names, referenced(manifest) - names
        assert "welcome/welcome.html" in names and not any(n.startswith("types/") for n in names)


def test_the_firefox_manifest_is_an_event_page_with_a_gecko_id_and_no_data_collection(tmp_path):
    chrome_zip, firefox_zip = dist.build(tmp_path)
    chrome, _ = manifest_of(chrome_zip)
    firefox, _ = manifest_of(firefox_zip)
    assert chrome == json.loads((ROOT / "extension/manifest.json").read_text(encoding="utf-8"))
    assert firefox["manifest_version"] == 3 and "key" not in firefox and "minimum_chrome_version" not in firefox
    assert firefox["background"] == {"scripts": ["background.js"], "type": "module"}
    gecko = firefox["browser_specific_settings"]["gecko"]
    assert gecko["strict_min_version"] == "140.0"  # the CSS Custom Highlight API
    assert gecko["data_collection_permissions"] == {"required": ["none"]}
    assert firefox["content_scripts"] == chrome["content_scripts"] and firefox["version"] == chrome["version"]
    # Firefox lets the user take a site back; the welcome page can ask only for what is listed here.
    sites = {m for s in chrome["content_scripts"] for m in s["matches"]}
    assert set(firefox["host_permissions"]) == set(chrome["host_permissions"]) | sites
