"""Small real images for tests that upload photos: uploads declared as images are decoded (engine.attachments.images).

Made by Pillow without metadata, so storing them keeps them byte for byte: a test can compare sizes and
downloads with what it sent.
"""
from __future__ import annotations

import io

from PIL import Image


def plain_jpeg(colour: tuple[int, int, int] = (90, 140, 60), size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def plain_png(colour: tuple[int, int, int] = (200, 60, 40), size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()
