"""A file that says it is an image, checked by what it holds, and photos stripped of where they were taken.

The name and type an uploader declares prove nothing: a text file called ``photo.jpg`` is sent as
``image/jpeg``. Pillow must be able to decode the whole file, or it is refused. A phone's photo carries
EXIF with the GPS position (often the reporter's home when the photo was taken there), the camera and
the time: JPEG and PNG files, what phone cameras and screenshots produce, are written again without
it unless the field keeps it (``ui:options.keepExif``). A JPEG keeps its quantisation tables
(``quality="keep"``), its colour profile and its Orientation tag, so it looks exactly as it did; the
pixels are not rotated. Other formats Pillow reads (GIF, WebP, BMP, …) are kept as they were sent.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# Pillow's own warning threshold (about 89 million pixels): more than any phone photo, and a small
# file that decodes to gigabytes of pixels (a "decompression bomb") is refused before it is decoded.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
ORIENTATION = 0x0112  # the EXIF tag that says how to turn the picture; nothing about place or person

# Formats written again without metadata, and the type each is stored as. An MPO (a JPEG with a second
# picture, as some phones take) is written as its first picture, a plain JPEG.
_STRIPPED = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}


class NotAnImage(ValueError):
    """The bytes are not an image Pillow can decode (or would decode to too many pixels)."""


@dataclass(frozen=True)
class CheckedImage:
    """What to store: the bytes (stripped or as sent) and the type their content shows."""

    data: bytes
    content_type: str
    stripped: bool


def is_image_type(content_type: str) -> bool:
    return content_type.lower().startswith("image/")


def checked_image(data: bytes, keep_metadata: bool = False) -> CheckedImage:
    """`data` decoded to prove it is an image; JPEG and PNG written again without metadata unless
    `keep_metadata`. NotAnImage when Pillow cannot decode it all."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise NotAnImage(f"{width}×{height} pixels is more than {MAX_PIXELS}")
            image.load()  # a truncated or corrupt file fails here, not in a reader's browser
            found = image.format or ""
            if found not in _STRIPPED:
                return CheckedImage(data, _mime(found), stripped=False)
            if keep_metadata:
                return CheckedImage(data, _STRIPPED[found], stripped=False)
            return CheckedImage(_without_metadata(image, found), _STRIPPED[found], stripped=True)
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            EOFError, MemoryError) as refused:
        raise NotAnImage(str(refused) or type(refused).__name__) from refused


def _without_metadata(image: Image.Image, found: str) -> bytes:
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    if found == "PNG":
        # No pnginfo and no exif: tEXt/iTXt/zTXt/eXIf chunks are not written; transparency is kept.
        image.save(out, "PNG", **({"icc_profile": icc} if icc else {}))
        return out.getvalue()
    exif = Image.Exif()
    orientation = image.getexif().get(ORIENTATION)
    if orientation:
        exif[ORIENTATION] = orientation
    options: dict[str, object] = {"exif": exif.tobytes() if orientation else b"", "comment": b""}
    if icc:
        options["icc_profile"] = icc
    if found == "JPEG":
        options["quality"] = "keep"  # the same tables: no visible loss from writing it again
    else:
        options["quality"] = 92  # an MPO's tables cannot be kept across the change of format
    image.save(out, "JPEG", **options)
    return out.getvalue()


def _mime(found: str) -> str:
    return Image.MIME.get(found, "application/octet-stream").lower()
