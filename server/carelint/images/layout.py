"""Cues from how text is laid out in a picture, which a post's text never has: the printed
labels of a wristband or chart, and the header that imaging systems burn into a scan."""

from __future__ import annotations

import re

# Labels printed next to a patient's identifiers on wristbands, charts, census boards and
# monitors. Kept in capitals by `engine_view` so they read as labels, not as names.
LABEL_WORDS = frozenset({
    "DOB", "MRN", "MR", "FIN", "ACCT", "ACC", "PID", "ID", "NPO", "DNR", "DNI", "RM", "BED", "SEX", "AGE",
    "DR", "MD", "DO", "RN", "NP", "PA", "PT", "OT", "ICU", "ER", "ED", "OR", "PACU", "IV", "PO", "PRN",
    "BP", "HR", "RR", "SPO", "O2", "ECG", "EKG", "CT", "MRI", "US", "XR", "AP", "LAT", "KV", "KVP",
    "MAS", "WL", "WW", "SE", "IM", "HIPAA", "USA", "AM", "PM",
})

# Titles and credentials belong with a name ("DR LIT", "ANA RUIZ RN"); other labels do not.
_NOT_IN_NAMES = LABEL_WORDS - {"DR", "MD", "DO", "RN", "NP", "PA"}

# A picture of a chart, label or screen: these words are printed next to the identifiers.
_PATIENT_LABEL = re.compile(
    r"\b(?:D\.?O\.?B\b|MRN\b|MR\s?#|Med(?:ical)?\s+Rec(?:ord)?|Patient\b|Pt\.?\s+Name|Acct\b|FIN\b|"
    r"Admit(?:ted)?\b|Allerg(?:y|ies)\b|Attending\b|Date\s+of\s+Birth)",
    re.IGNORECASE,
)

# Fields of a DICOM header as viewers and modalities burn them into the pixels.
_DICOM_FIELD = re.compile(
    r"\b(?:Patient\s*(?:Name|ID)|PID\b|Accession|Acc\s?(?:No|#)|Study\s*(?:Date|Time|ID|Desc)|"
    r"Series\b|Se\s*:\s*\d|Im\s*:\s*\d|Institution|Referring|Modality|kVp?\b|mAs\b|"
    r"W\s*:\s*\d+\s*L\s*:\s*-?\d+|WL\s*:|WW\s*:|Slice\b|Thk\b)",
    re.IGNORECASE,
)

# A name printed after its label on a form, label or scan header: "Patient Name: DOE^JANE",
# "Name: Smith, John". The name model misses many of these (no sentence around them).
_LABELLED_NAME = re.compile(
    r"\b(?:(?:Patient|Pt\.?)\s*Name|Name|Patient)\s*[:#]\s*"
    r"(?P<name>[^\W\d_][\w'-]*(?:(?:,\s*|\^|[ ])[^\W\d_][\w'-]*){1,3})",
    re.IGNORECASE,
)

BURNED_IN_MIN_FIELDS = 2  # one field name can be chance ("Series" on a flyer); two is a header


def engine_view(text: str) -> str:
    """The OCR text as the PHI engine should read it, with exactly the same length: labels and
    wristbands print names in capitals ("SMITH, JOHN"), which the name model only recognises
    in title case. Short label words (DOB, MRN, RM) stay in capitals."""

    def title(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in LABEL_WORDS or not word.isupper():
            return word
        titled = word[0] + word[1:].lower()
        return titled if len(titled) == len(word) else word  # never move an offset

    text = re.sub(r"[^\W\d_]{2,}", title, text)
    # DICOM writes person names as FAMILY^GIVEN^MIDDLE.
    return re.sub(r"(?<=[^\W\d_])\^(?=[^\W\d_])", " ", text)


def has_patient_labels(text: str) -> bool:
    return bool(_PATIENT_LABEL.search(text))


def dicom_fields(text: str) -> list[re.Match[str]]:
    """The DICOM-style header fields in the OCR text (empty unless there are enough of them)."""
    found = list(_DICOM_FIELD.finditer(text))
    return found if len(found) >= BURNED_IN_MIN_FIELDS else []


def labelled_names(text: str) -> list[tuple[int, int]]:
    """Spans of names printed after a "Name:" or "Patient:" label."""
    return [m.span("name") for m in _LABELLED_NAME.finditer(text)]


def without_labels(text: str, start: int, end: int) -> tuple[int, int]:
    """A name's span without label words the name model ran into ("MARY JONES NPO" on a
    board row read as one line): labels are printed next to names, never part of them."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while len(words) > 1 and words[-1].group(0).strip(",.:;").upper() in _NOT_IN_NAMES:
        words.pop()
    while len(words) > 1 and words[0].group(0).strip(",.:;").upper() in _NOT_IN_NAMES:
        words.pop(0)
    if not words:
        return start, end
    return start + words[0].start(), start + words[-1].end()
