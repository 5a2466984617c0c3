"""Decoding an uploaded image safely: size and pixel limits before decoding, a short list of
formats, EXIF orientation applied, and a working copy small enough for OCR and face search."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 15 * 1024 * 1024  # 15 MB: a full-resolution phone photo fits, a video does not
MAX_IMAGE_PIXELS = 64_000_000  # above any phone camera (48 MP); more is a decompression bomb
WORK_MAX_SIDE = 2000  # OCR and faces run on at most this many pixels a side (boxes are scaled back)

# Pillow's names for the formats we accept. Its JPEG opener also returns many phone photos as
# MPO (JPEG with a second, preview picture).
FORMATS = ["PNG", "JPEG", "WEBP"]
FORMAT_NAMES = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "WEBP": "webp", "HEIF": "heic"}

_heif_lock = threading.Lock()
_heif_checked = False


class ImageError(Exception):
    """A refused image, with the HTTP status and error code the API answers with."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


TOO_LARGE = ImageError(413, "payload_too_large",
                       f"The image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB; send a smaller export.")


def not_an_image() -> ImageError:
    kinds = "PNG, JPEG, WebP or HEIC" if heif_available() else "PNG, JPEG or WebP"
    return ImageError(415, "unsupported_media_type", f"The body is not a {kinds} image.")


def heif_available() -> bool:
    """HEIC (iPhone photos) only when the optional pillow-heif package is installed."""
    global _heif_checked
    with _heif_lock:
        if not _heif_checked:
            _heif_checked = True
            try:
                from pillow_heif import register_heif_opener
            except ImportError:
                pass
            else:
                register_heif_opener()
                FORMATS.append("HEIF")
        return "HEIF" in FORMATS


@dataclass
class LoadedImage:
    """The decoded picture, upright, RGB. `work` may be smaller than the original: `scale`
    converts its pixel coordinates to the original's (what the user sees)."""

    work: Image.Image
    width: int  # of the upright original
    height: int
    format: str
    scale: float
    exif: Image.Exif
    info: dict = field(default_factory=dict)  # PNG text chunks, XMP and the like


def load_image(data: bytes) -> LoadedImage:
    if len(data) > MAX_IMAGE_BYTES:
        raise TOO_LARGE
    heif_available()
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise _bomb() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise not_an_image() from None
    with image:
        # The header is read, the pixels are not: refuse absurd dimensions before decoding them.
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise _bomb(width, height)
        fmt = FORMAT_NAMES.get(image.format or "", (image.format or "unknown").lower())
        try:
            exif = image.getexif()
        except Exception:  # a broken EXIF block must not stop the rest of the check
            exif = Image.Exif()
        orientation = exif.get(0x0112, 1)
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        info = {k: v for k, v in image.info.items() if isinstance(v, str | bytes) and k != "icc_profile"}
        if image.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: much faster and smaller for big photos.
            image.draft("RGB", _target_size(image.size))
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
        except Image.DecompressionBombError:
            raise _bomb(width, height) from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ImageError(422, "invalid_image", f"The image could not be decoded: {exc}") from None
    work = _to_rgb(upright)
    if max(work.size) > WORK_MAX_SIDE:
        work.thumbnail((WORK_MAX_SIDE, WORK_MAX_SIDE), Image.Resampling.LANCZOS)
    return LoadedImage(work=work, width=width, height=height, format=fmt, scale=width / work.width,
                       exif=exif, info=info)


def _bomb(width: int = 0, height: int = 0) -> ImageError:
    size = f" ({width}×{height} pixels)" if width else ""
    return ImageError(422, "decompression_bomb",
                      f"The image{size} has more than {MAX_IMAGE_PIXELS:,} pixels: refused as a possible "
                      "decompression bomb. Resize it before checking.")


def _target_size(size: tuple[int, int]) -> tuple[int, int]:
    ratio = min(1.0, WORK_MAX_SIDE / max(size))
    return max(1, round(size[0] * ratio)), max(1, round(size[1] * ratio))


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB on white: transparent PNG text (black on nothing) must not become black on black."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale (medical exports): scale to 8 bits rather than clip to white.
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    return image.convert("RGB")
