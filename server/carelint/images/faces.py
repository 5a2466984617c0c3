"""Faces, with OpenCV's Haar cascades: they ship inside the opencv wheel (cv2.data), need no
download, and take tens of milliseconds on a downscaled photo. They find frontal and profile
faces of a reasonable size; a face they miss is the price of running anywhere."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PIL import Image

from carelint.images.result import Box, ImageFinding, finding_id, scaled
from carelint.sources import cite

DETECT_MAX_SIDE = 640  # faces worth worrying about stay findable at this size
SCALE_STEP = 1.15  # between the window sizes tried: 1.1 finds no more faces here, and costs double
MIN_FACE_SHARE = 0.04  # of the shorter side: smaller "faces" are mostly texture
# How sure: bench/faces_eval.py (2026-12-01) found a face in 7.5% of 200 generated pictures
# without people (drawn landscapes, charts, posters, textures) and in 85% of 40 framings of a
# photograph of one person. The card says so rather than claiming a face.
FACE_MESSAGE = ("This looks like a face (automatic detection, which also marks about 1 in 13 pictures without "
                "people): if it is a person, post only with their written consent.")
FACE_SOURCE = cite([{"key": "ecfr-45-cfr-164-514", "at": "(b)(2)(i)(Q) full face photographic images"}],
                   "image.face").text
FACE_SUGGESTIONS = ["Get the person's written consent before posting",
                    "Blur or crop the face", "Use a photo without people"]


class FaceDetector:
    """Frontal and profile cascades (the profile one looks right, so it also runs mirrored)."""

    def __init__(self):
        self._cascades = None
        self._lock = threading.Lock()

    def _load(self):
        if self._cascades is None:
            import cv2

            folder = Path(cv2.data.haarcascades)
            cascades = []
            for name in ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml"):
                cascade = cv2.CascadeClassifier(str(folder / name))
                if cascade.empty():  # OpenCV 5 dropped the bundled cascades: say so, loudly
                    raise RuntimeError(f"OpenCV's {name} is missing; install opencv-python-headless 4.x")
                cascades.append(cascade)
            self._cascades = cascades
        return self._cascades

    def detect(self, image: Image.Image) -> list[Box]:
        """Face boxes in `image`'s pixels."""
        import cv2

        ratio = min(1.0, DETECT_MAX_SIDE / max(image.size))
        small = image if ratio == 1.0 else image.resize(
            (max(1, round(image.width * ratio)), max(1, round(image.height * ratio))), Image.Resampling.BILINEAR)
        gray = cv2.equalizeHist(np.asarray(small.convert("L")))
        side = max(24, round(MIN_FACE_SHARE * min(gray.shape)))
        found: list[tuple[int, int, int, int]] = []
        with self._lock:  # CascadeClassifier objects are not documented as thread-safe
            frontal, profile = self._load()
            options = dict(scaleFactor=SCALE_STEP, minNeighbors=6, minSize=(side, side))
            found += _boxes(frontal.detectMultiScale(gray, **options))
            found += _boxes(profile.detectMultiScale(gray, **options))
            mirrored = np.ascontiguousarray(gray[:, ::-1])
            for x, y, w, h in _boxes(profile.detectMultiScale(mirrored, **options)):
                found.append((gray.shape[1] - x - w, y, w, h))
        return [tuple(round(v / ratio) for v in box) for box in _merge(found)]


def _boxes(detections) -> list[tuple[int, int, int, int]]:
    return [tuple(int(v) for v in d) for d in detections] if len(detections) else []


def _merge(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """One box per face: frontal and profile hits on the same face overlap; keep the larger."""
    kept: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes, key=lambda b: -b[2] * b[3]):
        if all(_overlap(box, k) < 0.3 for k in kept):
            kept.append(box)
    return sorted(kept)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / min(a[2] * a[3], b[2] * b[3])


def face_findings(boxes: list[Box], scale: float, width: int, height: int) -> list[ImageFinding]:
    out = []
    for box in boxes:
        placed = scaled(box, scale, width, height)
        out.append(ImageFinding(
            id=finding_id("phi", "FACE", placed), text="", category="phi", type="FACE", rule="image.face",
            severity="medium", message=FACE_MESSAGE, suggestions=list(FACE_SUGGESTIONS), source=FACE_SOURCE,
            box=placed,
        ))
    return out


_default: FaceDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> FaceDetector:
    global _default
    with _default_lock:
        if _default is None:
            _default = FaceDetector()
        return _default
