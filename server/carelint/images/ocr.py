"""Reading the text in a picture. One interface (`OcrEngine.recognize`), one implementation on
rapidocr-onnxruntime, whose ONNX models ship inside its wheel: nothing is fetched at run time."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from carelint.images.loading import ImageError
from carelint.images.result import Box, union

# OCR runs on at most this many pixels a side (boxes are scaled back). rapidocr's detector
# works at the picture's own size up to 2000 px, which takes twice as long and twice the
# memory on a 1080p photo; at 1440 a wristband's print stays legible.
OCR_MAX_SIDE = 1440
MIN_SCORE = 0.5  # lines recognised with less confidence are noise more often than text
# The recogniser often drops the spaces of ALL-CAPS print ("SMITH,JOHN"). A blank run between
# two letters wider than this share of the ink's height is a word space (in sans fonts the gap
# between two upright strokes is at most a quarter of the capital height, a space is wider).
SPACE_GAP_RATIO = 0.32
MAX_SKEW_DEGREES = 6  # beyond this the ink-gap test would cut through letters: skipped


@dataclass(frozen=True)
class OcrLine:
    """One line of text, in the pixels of the image given to `recognize`.
    `char_boxes` has one entry per character of `text` (None where unknown, e.g. a space)."""

    text: str
    box: Box
    score: float
    char_boxes: tuple[Box | None, ...] = ()

    def box_of(self, start: int, end: int) -> Box:
        """The box around characters [start, end) of this line (the whole line if unknown)."""
        if len(self.char_boxes) == len(self.text):
            found = union([b for b in self.char_boxes[start:end] if b is not None])
            if found is not None:
                return found
        return self.box


class OcrEngine(Protocol):
    def recognize(self, image: Image.Image) -> list[OcrLine]: ...


class RapidOcrEngine:
    """rapidocr-onnxruntime, loaded on first use (about 0.3 s) and then shared; one picture at a
    time, since the ONNX sessions already use every core."""

    def __init__(self, max_side: int = OCR_MAX_SIDE, min_score: float = MIN_SCORE):
        self.max_side = max_side
        self.min_score = min_score
        self._engine = None
        self._lock = threading.Lock()

    def _load(self):
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # installed apart, with --no-deps: say how to get it
                raise ImageError(503, "ocr_unavailable",
                                 f"The OCR engine is not installed ({exc.name}): run `make install`, which "
                                 "installs rapidocr-onnxruntime from requirements-model.txt (with pipx: "
                                 "`pipx inject carelint rapidocr-onnxruntime==1.4.4 --pip-args=--no-deps`).") from None

            # limit_type "max": detect at the picture's size. The default ("min") enlarges
            # small images to 736 px on the short side, which makes a label strip take seconds.
            self._engine = RapidOCR(det_limit_type="max", text_score=self.min_score)
        return self._engine

    def warm_up(self) -> None:
        with self._lock:
            self._load()

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        ratio = min(1.0, self.max_side / max(image.size))
        if ratio < 1.0:
            size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
            image = image.resize(size, Image.Resampling.LANCZOS)
        rgb = np.asarray(image.convert("RGB"))
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])  # OpenCV order, as the models were trained
        with self._lock:
            engine = self._load()
            raw, _ = engine(bgr, return_word_box=True)
        if not raw:
            return []
        gray = np.asarray(image.convert("L"))
        lines = [line for item in raw if (line := _line(item, gray, self.min_score)) is not None]
        return lines if ratio == 1.0 else [_rescaled(line, 1 / ratio) for line in lines]


def _quad_box(quad) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    x0, y0 = math.floor(min(xs)), math.floor(min(ys))
    return x0, y0, math.ceil(max(xs)) - x0, math.ceil(max(ys)) - y0


def _line(item, gray: np.ndarray, min_score: float) -> OcrLine | None:
    quad, text, score = item[0], str(item[1]), float(item[2])
    text = text.strip()
    if not text or score < min_score:
        return None
    box = _quad_box(quad)
    chars: list[Box | None] = []
    # With return_word_box rapidocr adds one quad per character, left to right (horizontal text).
    if len(item) > 3 and isinstance(item[3], list) and len(item[3]) == len(str(item[1])) and _level(quad):
        offset = len(str(item[1])) - len(str(item[1]).lstrip())
        chars = [_quad_box(q) for q in item[3]][offset : offset + len(text)]
        text, chars = restore_spaces(text, chars, gray, box)
    return OcrLine(text=text, box=box, score=score, char_boxes=tuple(chars))


def _rescaled(line: OcrLine, factor: float) -> OcrLine:
    def grow(box: Box | None) -> Box | None:
        return None if box is None else tuple(round(v * factor) for v in box)

    return OcrLine(line.text, grow(line.box), line.score, tuple(grow(b) for b in line.char_boxes))


def _level(quad) -> bool:
    (x0, y0), (x1, y1) = quad[0], quad[1]
    return abs(math.degrees(math.atan2(y1 - y0, (x1 - x0) or 1e-6))) <= MAX_SKEW_DEGREES


def restore_spaces(text: str, chars: list[Box | None], gray: np.ndarray,
                   box: Box) -> tuple[str, list[Box | None]]:
    """Put back word spaces the recogniser dropped, where the picture shows a blank gap
    between two characters. Inserted spaces get no box."""
    x, y, w, h = box
    crop = gray[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0 or h < 6:
        return text, chars
    ink, ink_height = _ink_profile(crop)
    min_gap = max(2, SPACE_GAP_RATIO * ink_height)
    out_text, out_boxes = [text[0]], [chars[0]]
    for i in range(1, len(text)):
        left, right = chars[i - 1], chars[i]
        # Never between two digits: a narrow "1" has wide margins, and "1952" must stay whole.
        if (not text[i - 1].isspace() and not text[i].isspace() and left is not None and right is not None
                and not (text[i - 1].isdigit() and text[i].isdigit())
                and _blank_run(ink, left[0] + left[2] / 2 - x, right[0] + right[2] / 2 - x) >= min_gap):
            out_text.append(" ")
            out_boxes.append(None)
        out_text.append(text[i])
        out_boxes.append(right)
    return "".join(out_text), out_boxes


def _ink_profile(crop: np.ndarray) -> tuple[np.ndarray, int]:
    """Which columns of a text line hold ink, and how tall the ink is. Otsu splits ink from
    background; the smaller class is the ink (dark on light or light on dark alike)."""
    import cv2

    _, binary = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = binary if binary.mean() < 0.5 else 1 - binary
    rows = np.flatnonzero(ink.sum(axis=1) >= max(1, crop.shape[1] // 100))
    height = int(rows[-1] - rows[0] + 1) if rows.size else crop.shape[0]
    return ink.sum(axis=0) >= max(1, height // 20), height


def _blank_run(ink: np.ndarray, start: float, end: float) -> int:
    """The longest run of inkless columns between two x positions of the crop."""
    lo, hi = max(0, int(start)), min(len(ink), int(math.ceil(end)))
    best = run = 0
    for has_ink in ink[lo:hi]:
        run = 0 if has_ink else run + 1
        best = max(best, run)
    return best


_default: RapidOcrEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> RapidOcrEngine:
    """The process-wide OCR engine (the models load once, on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RapidOcrEngine()
        return _default
