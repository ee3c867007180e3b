"""Photos and evidence files: checked to be real images, re-encoded to JPEG (which
drops EXIF, location included), stored under generated names, original names kept.

Anything that is not a readable JPEG/PNG/WebP/GIF image within the limits is
refused with a message, and nothing is written.
"""

from __future__ import annotations

import uuid
import warnings
from dataclasses import dataclass
from io import BytesIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from incubator import storage
from incubator.errors import ValidationFailed

MAX_PHOTOS = 9
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
LONG_SIDE = 2048
THUMB_SIDE = 360
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# iPhones save HEIC unless set to "Most Compatible"; Pillow cannot read it.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


@dataclass(frozen=True)
class ProcessedImage:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _refuse(message) -> ValidationFailed:
    return ValidationFailed(message, field="photos")


def process_image(data: bytes) -> ProcessedImage:
    """Verify, reopen, load and re-encode; raises ``ValidationFailed``."""
    if len(data) > MAX_BYTES:
        raise _refuse(_l("A photo may be at most 10 MB."))
    if not data:
        raise _refuse(_l("The file is empty."))
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        raise _refuse(
            _l(
                "Only JPEG, PNG, WebP or GIF photos are accepted "
                "(on an iPhone choose 'Most Compatible')."
            )
        )
    too_large = _refuse(_l("The photo is too large (at most 40 megapixels)."))
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings(record=True) as caught:
            # A decompression bomb is refused, never just warned about.
            warnings.simplefilter("always", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                bomb = any(
                    issubclass(w.category, Image.DecompressionBombWarning)
                    for w in caught
                )
                if bomb or probe.width * probe.height > MAX_PIXELS:
                    raise too_large
                if probe.format not in FORMATS:
                    raise _refuse(
                        _l(
                            "Only JPEG, PNG, WebP or GIF photos are accepted "
                            "(on an iPhone choose 'Most Compatible')."
                        )
                    )
                probe.verify()
            with Image.open(BytesIO(data)) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened).convert("RGB")
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(_l("This file is not a photo we can read.")) from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    width, height = image.size
    full = image.copy()
    full.thumbnail((LONG_SIDE, LONG_SIDE))
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return ProcessedImage(_jpeg(full), _jpeg(thumb), width, height)


def _jpeg(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def store_image(processed: ProcessedImage, kind: str = "photos") -> str:
    """Store the full image and its thumbnail (``thumb-<name>``) in ``kind``;
    returns the generated name. If the request's transaction is rolled back, both
    are removed again (``incubator.storage.put``). Raises
    ``storage.StorageUnavailable`` when the store refuses."""
    name = f"{uuid.uuid4().hex}.jpg"
    storage.put(kind, name, processed.full, "image/jpeg")
    storage.put(kind, thumb_name(name), processed.thumb, "image/jpeg")
    return name


def thumb_name(name: str) -> str:
    return f"thumb-{name}"


def store_pdf(data: bytes) -> str:
    """Store a PDF as evidence; returns the generated name. Raises
    ``ValidationFailed`` (too large, not a PDF) before anything is written."""
    if len(data) > MAX_BYTES:
        raise _refuse(_l("A file may be at most 10 MB."))
    if not data.startswith(b"%PDF-"):
        raise _refuse(_l("Evidence is a photo or a PDF file."))
    name = f"{uuid.uuid4().hex}.pdf"
    storage.put("evidence", name, data, "application/pdf")
    return name


def remove_stored(kind: str, name: str) -> None:
    """Remove a stored file and its thumbnail (if any)."""
    storage.delete(kind, name)
    storage.delete(kind, thumb_name(name))


def clean_original_name(name: str | None) -> str:
    """The name as the user's device gave it, for display only (never a path)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200]
