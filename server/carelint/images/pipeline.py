"""One image check: decode, read the text, find faces, read the metadata, judge it all."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import time
from pathlib import Path

from carelint.engine import Checker
from carelint.findings import SEVERITY_RANK
from carelint.images.faces import FaceDetector, default_detector, face_findings
from carelint.images.loading import MAX_IMAGE_BYTES, TOO_LARGE, load_image
from carelint.images.metadata import metadata_findings, read_metadata
from carelint.images.ocr import OcrEngine, default_engine
from carelint.images.result import ImageFinding, ImageInfo, ImageResult
from carelint.images.text_check import assemble, check_text
from carelint.settings import Policy


def check_image_bytes(data: bytes, checker: Checker, policy: Policy | None = None, *,
                      ocr: OcrEngine | None = None, faces: FaceDetector | None = None) -> ImageResult:
    """Check an encoded image (PNG, JPEG, WebP, HEIC with pillow-heif). Raises `ImageError`
    (with the HTTP status to answer) for an image that is too large, unreadable or a bomb.
    CPU-bound (about a second for a 1080p photo): call it off the event loop."""
    started = time.perf_counter()
    policy = policy or Policy()
    loaded = load_image(data)
    size = (loaded.scale, loaded.width, loaded.height)
    text = assemble((ocr or default_engine()).recognize(loaded.work))
    findings = check_text(text, checker, policy, *size)
    findings += face_findings((faces or default_detector()).detect(loaded.work), *size)
    metadata = read_metadata(loaded.exif, loaded.info)
    findings += metadata_findings(metadata, lambda value: _phi_severity(value, checker, policy))
    # The policy's disabled rules apply to the picture's own rules too (image.face, …).
    findings = [f for f in findings if f.rule not in policy.disabled_rules]
    info = ImageInfo(width=loaded.width, height=loaded.height, format=loaded.format)
    del loaded  # the decoded picture goes before the memory is handed back
    _release_memory()
    return ImageResult(
        findings=sorted(findings, key=_position),
        ocr_text=text.display,
        image=info,
        metadata=metadata,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def check_image_file(path: str | Path, checker: Checker, policy: Policy | None = None) -> ImageResult:
    """`check_image_bytes` on a file (for the CLI and `carelint audit`). Raises `ImageError`,
    or `OSError` when the file cannot be read."""
    path = Path(path)
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise TOO_LARGE
    with path.open("rb") as fh:
        data = fh.read(MAX_IMAGE_BYTES + 1)  # the file may grow between stat and read
    return check_image_bytes(data, checker, policy)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


def _release_memory() -> None:
    """Give the OCR's scratch memory (about 300 MB for a 1080p photo) back to the system:
    glibc keeps freed blocks otherwise, and the server would sit at its peak between checks."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _phi_severity(text: str, checker: Checker, policy: Policy) -> str | None:
    """The most severe PHI finding in a metadata text field, or None."""
    found = [f.severity for f in checker.check(text, "generic", "codepoint", policy).findings if f.category == "phi"]
    return max(found, key=SEVERITY_RANK.__getitem__) if found else None


def _position(f: ImageFinding) -> int:
    """Metadata (no box) last; the rest stay as found: text in reading order, then faces."""
    return f.box is None
