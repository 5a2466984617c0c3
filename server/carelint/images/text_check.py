"""The text in a picture through the same PHI engine as posts: OCR lines become one text in
reading order, each character remembers its box, and each text finding gets the box of the
characters it covers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from carelint.engine import Checker
from carelint.images.layout import dicom_fields, engine_view, has_patient_labels, labelled_names, without_labels
from carelint.images.ocr import OcrLine
from carelint.images.result import Box, ImageFinding, finding_id, scaled, union
from carelint.settings import Policy
from carelint.sources import cite

# Tone and language rules judge how a post is written (shouting, jargon); the capitals of a
# printed label are not shouting. PHI, claims and advice apply to a picture's text as well.
IMAGE_CATEGORIES = frozenset({"phi", "claim", "advice"})

ROW_BREAK = "\n\n"  # a blank line: each row of the picture is its own paragraph for the engine
# Between separate pieces of text on one row (a board's columns): with a plain space the name
# model runs a name on into the next cell ("Mary Jones NPO").
CELL_BREAK = "\t"

BURNED_IN_MESSAGE = ("Text burned into this medical image looks like a DICOM header (patient name, ID, "
                     "study date): crop it out, or post a de-identified export without the overlay.")
BURNED_IN_SOURCE = cite([{"key": "ecfr-45-cfr-164-514", "at": "(b)(2)(i) identifiers shown as text in the image"},
                         {"key": "dicom-ps3-15-annex-e", "at": "burned-in annotation"}], "image.burned-in").text


@dataclass(frozen=True)
class OcrText:
    """The picture's text for the engine, with the box of every character (None between lines)."""

    text: str
    boxes: tuple[Box | None, ...]

    def box(self, start: int, end: int) -> Box | None:
        return union([b for b in self.boxes[start:end] if b is not None])

    @property
    def display(self) -> str:
        """The text as a person reads it: one row a line."""
        return self.text.replace(ROW_BREAK, "\n")


def reading_order(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Rows top to bottom, each left to right. Two lines share a row when their vertical
    centres are closer than half the smaller line's height."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: ln.box[1] + ln.box[3] / 2):
        centre = line.box[1] + line.box[3] / 2
        if rows:
            last = rows[-1][0]
            if abs(centre - (last.box[1] + last.box[3] / 2)) < min(line.box[3], last.box[3]) / 2:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.box[0]) for row in rows]


def assemble(lines: list[OcrLine]) -> OcrText:
    parts: list[str] = []
    boxes: list[Box | None] = []
    for r, row in enumerate(reading_order(lines)):
        if r:
            parts.append(ROW_BREAK)
            boxes.extend([None] * len(ROW_BREAK))
        for i, line in enumerate(row):
            if i:
                parts.append(CELL_BREAK)
                boxes.append(None)
            parts.append(line.text)
            boxes.extend(line.box_of(k, k + 1) for k in range(len(line.text)))
    return OcrText("".join(parts), tuple(boxes))


def check_text(ocr: OcrText, checker: Checker, policy: Policy, scale: float,
               width: int, height: int) -> list[ImageFinding]:
    """Findings for the picture's text, boxes in the original image's pixels."""
    if not ocr.text.strip():
        return []
    view = engine_view(ocr.text)
    result = checker.check(view, "generic", "codepoint", policy)
    labelled = labelled_names(view)
    # A labelled name is reported whole ("DOE^JANE"), not as the part the name model saw.
    kept = [f for f in result.findings
            if f.category in IMAGE_CATEGORIES
            and not (f.type == "PERSON" and any(s <= f.start and f.end <= e for s, e in labelled))]
    findings = []
    for f in kept:
        start, end = without_labels(ocr.text, f.start, f.end) if f.type == "PERSON" else (f.start, f.end)
        box = ocr.box(start, end)
        box = scaled(box, scale, width, height) if box is not None else None
        findings.append(ImageFinding(
            id=finding_id(f.category, f.type, box), text=ocr.text[start:end], category=f.category,
            type=f.type, rule=f.rule, severity=f.severity, message=f.message, suggestions=list(f.suggestions),
            source=f.source, box=box,
        ))
    findings += _labelled_names(ocr, checker, policy, labelled, kept, scale, width, height)
    findings += _burned_in_header(ocr, scale, width, height)
    return findings


def _labelled_names(ocr: OcrText, checker: Checker, policy: Policy, labelled: list[tuple[int, int]], found,
                    scale: float, width: int, height: int) -> list[ImageFinding]:
    """Names after a "Name:" label that the engine did not already flag: on a label, chart or
    scan header, the label itself says whose it is, so they are high like any patient name
    (unless the policy lists them as staff)."""
    spec = checker.phi.specs.get("PERSON")
    if spec is None:
        return []
    flagged = [(f.start, f.end) for f in found if f.category == "phi"]
    staff = {_name_key(n) for n in policy.staff_names}
    out = []
    for start, end in labelled:
        if any(s < end and start < e for s, e in flagged) or _name_key(ocr.text[start:end]) in staff:
            continue
        box = ocr.box(start, end)
        box = scaled(box, scale, width, height) if box is not None else None
        out.append(ImageFinding(
            id=finding_id("phi", "PERSON", box), text=ocr.text[start:end], category="phi", type="PERSON",
            rule=spec.rule, severity="high", message=spec.message, suggestions=list(spec.suggestions),
            source=spec.source, box=box,
        ))
    return out


def _burned_in_header(ocr: OcrText, scale: float, width: int, height: int) -> list[ImageFinding]:
    fields = dicom_fields(ocr.text)
    if not fields:
        return []
    severity = "high" if has_patient_labels(ocr.text) or len(fields) >= 3 else "medium"
    # The whole rows that carry the fields (the values beside the labels are what must go),
    # one finding per block of neighbouring rows: a scan has its header in several corners.
    rows: dict[tuple[int, int], list[str]] = {}
    for m in fields:
        rows.setdefault(_row_span(ocr.text, m.start()), []).append(m.group(0))
    blocks: list[tuple[Box, list[str]]] = []
    for span, names in sorted(rows.items(), key=lambda item: (ocr.box(*item[0]) or (0, 0, 0, 0))[1]):
        box = ocr.box(*span)
        if box is None:
            continue
        if blocks and _next_to(blocks[-1][0], box):
            blocks[-1] = (union([blocks[-1][0], box]), blocks[-1][1] + names)
        else:
            blocks.append((box, names))
    out = []
    for box, names in blocks:
        placed = scaled(box, scale, width, height)
        out.append(ImageFinding(
            id=finding_id("phi", "BURNED_IN_HEADER", placed), text=", ".join(names),
            category="phi", type="BURNED_IN_HEADER", rule="image.burned-in-header", severity=severity,
            message=BURNED_IN_MESSAGE,
            suggestions=["Crop the header text out of the image", "Export the image de-identified (no overlay)"],
            source=BURNED_IN_SOURCE, box=placed,
        ))
    return out


def _next_to(block: Box, row: Box) -> bool:
    """The row continues the block: just below it, and overlapping it horizontally."""
    gap = row[1] - (block[1] + block[3])
    overlaps = row[0] < block[0] + block[2] and block[0] < row[0] + row[2]
    return overlaps and gap < 1.5 * row[3]


def _name_key(name: str) -> str:
    """'SMITH, JOHN', 'John Smith' and 'DOE^JOHN' compare by their words, in any order."""
    return " ".join(sorted(w.lower() for w in re.split(r"[\s,^]+", name) if w))


def _row_span(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind(ROW_BREAK, 0, offset)
    end = text.find(ROW_BREAK, offset)
    return (0 if start < 0 else start + len(ROW_BREAK)), (len(text) if end < 0 else end)
