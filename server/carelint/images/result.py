"""What an image check returns: findings placed by a box in the picture instead of text offsets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

Box = tuple[int, int, int, int]  # x, y, width, height in the original image's pixels


def union(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def scaled(box: Box, scale: float, width: int, height: int) -> Box:
    """A box on the working copy, in the original's pixels, kept inside the picture."""
    x0, y0 = max(0, round(box[0] * scale)), max(0, round(box[1] * scale))
    x1 = min(width, round((box[0] + box[2]) * scale))
    y1 = min(height, round((box[1] + box[3]) * scale))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


@dataclass(frozen=True)
class ImageFinding:
    """The fields of a /v1/check finding minus start/end, plus `box` (None for metadata)."""

    id: str
    text: str
    category: str
    type: str
    rule: str
    severity: str
    message: str
    suggestions: list[str]
    source: str
    box: Box | None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["box"] = list(self.box) if self.box is not None else None
        return out


def finding_id(category: str, kind: str, box: Box | None, key: str = "") -> str:
    where = "-".join(map(str, box)) if box is not None else f"meta-{key or 'image'}"
    return f"{category}-{kind.lower().replace('_', '-')}-{where}"


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class ImageResult:
    findings: list[ImageFinding]
    ocr_text: str
    image: ImageInfo
    metadata: dict[str, Any]
    elapsed_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "ocr_text": self.ocr_text,
            "image": dataclasses.asdict(self.image),
            "metadata": self.metadata,
            "elapsed_ms": self.elapsed_ms,
        }

    @property
    def has_high(self) -> bool:
        return any(f.severity == "high" for f in self.findings)
