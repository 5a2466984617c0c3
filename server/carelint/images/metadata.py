"""What a photo says about itself: EXIF GPS position, the names of its author or camera owner,
free-text descriptions, and the same in XMP and PNG text chunks. Each is a finding with no
box, and the answer says how to strip it."""

from __future__ import annotations

import re
from typing import Any

from PIL import ExifTags, Image

from carelint.findings import SEVERITY_RANK
from carelint.images.result import ImageFinding, finding_id
from carelint.sources import cite

HOW_TO_STRIP = ("Re-export the image without metadata, e.g. take a screenshot of it, or remove the location "
                "in the phone's share options (iPhone: Options → Location off; Android: remove location data).")
METADATA_SOURCE = cite([{"key": "ecfr-45-cfr-164-514",
                         "at": "(b)(2)(i)(B) geographic subdivisions; (A) names; (R) other unique codes"}],
                       "image.metadata").text
SUGGESTIONS = ["Re-export without metadata (a screenshot works)", "Remove location in the phone's share options"]

# IFD0 / Exif IFD tags that name a person. 0xFDE8 is the OwnerName some cameras write.
NAME_TAGS = {0x013B: "Artist", 0x8298: "Copyright", 0x9C9D: "XPAuthor", 0xA430: "CameraOwnerName",
             0xFDE8: "OwnerName"}
# Free text a phone, camera or editor may have filled in.
TEXT_TAGS = {0x010E: "ImageDescription", 0x9286: "UserComment", 0x9C9B: "XPTitle", 0x9C9C: "XPComment",
             0x9C9E: "XPKeywords", 0x9C9F: "XPSubject"}
MAKER_NOTE = 0x927C
PNG_NAME_KEYS = ("Author", "Artist", "Copyright")
PNG_TEXT_KEYS = ("Title", "Description", "Comment")

_XMP_GPS = re.compile(rb"exif:GPS(Latitude|Longitude)\s*(?:=\s*\"([^\"]{1,40})\"|>([^<]{1,40})<)")
_XMP_CREATOR = re.compile(rb"<dc:creator>.*?<rdf:li[^>]*>([^<]{1,200})</rdf:li>", re.DOTALL)
_XMP_CITY = re.compile(rb"photoshop:(City|State)\s*(?:=\s*\"([^\"]{1,100})\"|>([^<]{1,100})<)")
# "Jane Q Doe" inside a maker note's bytes: two to four capitalised words, nothing else.
_NAME_RUN = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]*\.?){1,3}$")
_NOT_NAMES = frozenset({"corporation", "corp", "company", "inc", "ltd", "camera", "cameras", "digital", "imaging",
                        "optical", "photo", "image", "lens", "mode", "auto", "manual", "normal", "standard", "version",
                        "firmware", "electric", "industries", "ricoh", "nikon", "canon", "sony", "fujifilm", "olympus",
                        "panasonic", "samsung", "apple", "google", "leica", "pentax", "kodak"})


def read_metadata(exif: Image.Exif, info: dict[str, Any]) -> dict[str, Any]:
    """The identifying metadata, as the API reports it."""
    ifd0 = dict(exif.items()) if exif else {}
    sub = _ifd(exif, ExifTags.IFD.Exif)
    gps = _gps(_ifd(exif, ExifTags.IFD.GPSInfo))
    names = {label: v for tag, label in NAME_TAGS.items() if (v := _text(ifd0.get(tag, sub.get(tag))))}
    texts = {label: v for tag, label in TEXT_TAGS.items() if (v := _text(ifd0.get(tag, sub.get(tag))))}
    maker_names = _maker_note_names(sub.get(MAKER_NOTE))
    if maker_names:
        names["MakerNote"] = ", ".join(maker_names)
    for key in PNG_NAME_KEYS:
        if isinstance(info.get(key), str) and info[key].strip():
            names.setdefault(f"PNG {key}", info[key].strip()[:200])
    for key in PNG_TEXT_KEYS:
        if isinstance(info.get(key), str) and info[key].strip():
            texts.setdefault(f"PNG {key}", info[key].strip()[:2000])
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp")
    place = None
    if xmp:
        xmp = xmp.encode("utf-8", "replace") if isinstance(xmp, str) else xmp
        if gps is None:
            coords = {m.group(1).decode(): (m.group(2) or m.group(3)).decode("utf-8", "replace")
                      for m in _XMP_GPS.finditer(xmp)}
            if coords:
                gps = {"latitude": coords.get("Latitude"), "longitude": coords.get("Longitude"), "source": "xmp"}
        if m := _XMP_CREATOR.search(xmp):
            names.setdefault("XMP creator", m.group(1).decode("utf-8", "replace").strip())
        cities = [(m.group(2) or m.group(3)).decode("utf-8", "replace") for m in _XMP_CITY.finditer(xmp)]
        place = ", ".join(cities) or None
    return {"exif": bool(ifd0), "gps": gps, "place": place, "names": names, "text": texts,
            "how_to_strip": HOW_TO_STRIP}


def metadata_findings(meta: dict[str, Any], text_severity) -> list[ImageFinding]:
    """Findings for `read_metadata`'s answer. `text_severity(text)` is the PHI engine's verdict
    on a free-text field (None when it finds nothing)."""
    out = []
    if meta["gps"] is not None:
        gps = meta["gps"]
        where = f"{gps['latitude']}, {gps['longitude']}"
        out.append(_finding("GPS_LOCATION", "image.gps-location", "medium", where, "gps",
                            f"The photo records where it was taken (GPS {where}): at a patient's home or "
                            f"room that identifies them. {HOW_TO_STRIP}"))
    if meta["place"]:
        out.append(_finding("GPS_LOCATION", "image.gps-location", "medium", meta["place"], "place",
                            f"The photo's metadata names a place ({meta['place']}). {HOW_TO_STRIP}"))
    for label, value in meta["names"].items():
        out.append(_finding("METADATA_NAME", "image.metadata-name", "medium", value, label.replace(" ", "-"),
                            f"The photo's metadata names a person ({label}: {value}). {HOW_TO_STRIP}"))
    for label, value in meta["text"].items():
        severity = text_severity(value)
        if severity is None:
            continue
        out.append(_finding("METADATA_TEXT", "image.metadata-text",
                            severity if SEVERITY_RANK[severity] >= SEVERITY_RANK["medium"] else "medium",
                            value, label.replace(" ", "-"),
                            f"The photo's metadata ({label}) has text that may identify a patient. {HOW_TO_STRIP}"))
    return out


def _finding(kind: str, rule: str, severity: str, text: str, key: str, message: str) -> ImageFinding:
    return ImageFinding(id=finding_id("phi", kind, None, key.lower()), text=text, category="phi", type=kind,
                        rule=rule, severity=severity, message=message, suggestions=list(SUGGESTIONS),
                        source=METADATA_SOURCE, box=None)


def _ifd(exif: Image.Exif, which) -> dict:
    try:
        return dict(exif.get_ifd(which)) if exif else {}
    except Exception:  # a malformed sub-IFD must not stop the rest of the check
        return {}


def _gps(ifd: dict) -> dict[str, Any] | None:
    lat = _degrees(ifd.get(2), ifd.get(1), "S")
    lon = _degrees(ifd.get(4), ifd.get(3), "W")
    if lat is None or lon is None:
        return None
    return {"latitude": lat, "longitude": lon, "source": "exif"}


def _degrees(value, ref, negative: str) -> float | None:
    """EXIF's (degrees, minutes, seconds) rationals to signed decimal degrees."""
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if any(x != x for x in (d, m, s)):  # NaN from a 0/0 rational
        return None
    degrees = d + m / 60 + s / 3600
    ref = ref.decode("ascii", "ignore") if isinstance(ref, bytes) else str(ref or "")
    return round(-degrees if ref.strip().upper() == negative else degrees, 6)


def _text(value) -> str | None:
    """A tag's value as text: XP* tags are UTF-16, UserComment starts with an 8-byte charset."""
    if value is None:
        return None
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(value)
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\0\0\0", b"UNICODE\0", b"JIS\0\0\0\0\0", b"\0" * 8):
            head, value = value[:8], value[8:]
            text = value.decode("utf-16" if head.startswith(b"UNICODE") else "latin-1", "replace")
        elif len(value) >= 2 and value[1:2] == b"\0":
            text = value.decode("utf-16-le", "replace")
        else:
            text = value.decode("utf-8", "replace")
    else:
        text = str(value)
    text = text.replace("\0", "").strip()
    return text[:2000] or None


def _maker_note_names(note) -> list[str]:
    if not isinstance(note, bytes):
        return []
    runs = re.findall(rb"[ -~]{5,64}", note[:65536])
    names = []
    for run in runs:
        text = run.decode("ascii").strip()
        if (_NAME_RUN.match(text) and text not in names
                and not any(w.strip(".").lower() in _NOT_NAMES for w in text.split())):
            names.append(text)
    return names[:5]
