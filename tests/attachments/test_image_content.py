"""Uploaded images are judged by their content, not their name, and photos lose the place they were taken.

The photos are made here with Pillow, GPS EXIF included, as a phone writes them.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from engine.attachments.images import ORIENTATION, NotAnImage, checked_image
from engine.attachments.service import keep_file
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.errors import InvalidInput
from engine.org.access import Actor
from engine.store.database import Database

GPS_IFD = 0x8825
GPS_LATITUDE = 2
MAKE = 0x010F


def _jpeg_with_gps(orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[GPS_LATITUDE] = "N", (22.0, 32.0, 45.5)
    gps[3], gps[4] = "E", (114.0, 7.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def _png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "22.5459,114.1200")
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD)[GPS_LATITUDE] = (22.0, 32.0, 45.5)
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 128, 0, 128)).save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def _gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(GPS_IFD))


def test_a_jpeg_with_a_gps_position_comes_out_without_it():
    photo = _jpeg_with_gps()
    assert _gps_of(photo)  # the test photo does carry a position

    checked = checked_image(photo)

    assert checked.stripped and checked.content_type == "image/jpeg"
    assert _gps_of(checked.data) == {}
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (64, 48) and MAKE not in image.getexif()
        assert image.getpixel((10, 10))[0] > 150  # still the same red picture


def test_a_stripped_jpeg_keeps_its_orientation_so_it_is_not_shown_on_its_side():
    checked = checked_image(_jpeg_with_gps(orientation=6))

    with Image.open(io.BytesIO(checked.data)) as image:
        exif = image.getexif()
    assert exif.get(ORIENTATION) == 6 and _gps_of(checked.data) == {}


def test_a_png_comes_out_without_its_exif_and_text_chunks_but_with_its_transparency():
    checked = checked_image(_png_with_metadata())

    with Image.open(io.BytesIO(checked.data)) as image:
        assert "Location" not in image.info and "exif" not in image.info
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 128
    assert checked.content_type == "image/png"


def test_a_field_that_keeps_exif_gets_the_photo_byte_for_byte():
    photo = _jpeg_with_gps()

    checked = checked_image(photo, keep_metadata=True)

    assert checked.data == photo and not checked.stripped and _gps_of(checked.data)


def test_the_type_is_taken_from_the_content_not_from_the_name():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")

    assert checked_image(out.getvalue()).content_type == "image/png"


@pytest.mark.parametrize("data", [b"just some text, not a photo\n", b"", _jpeg_with_gps()[:200]],
                         ids=["text", "empty", "truncated-jpeg"])
def test_bytes_pillow_cannot_decode_are_not_an_image(data):
    with pytest.raises(NotAnImage):
        checked_image(data)


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr("engine.attachments.images.MAX_PIXELS", 100)
    out = io.BytesIO()
    Image.new("L", (11, 10)).save(out, "PNG")

    with pytest.raises(NotAnImage):
        checked_image(out.getvalue())


# Through keep_file, as every upload path (task forms, start forms, the API) stores a file.

@pytest.fixture
def session(db: Database):
    with db.transaction() as opened:
        yield opened


def _keep(session, store: FileStore, name: str, data: bytes, declared: str | None, keep_exif: bool = False):
    return keep_file(session, store, Upload(name, declared, io.BytesIO(data)), Actor("gw_s01c01g01"), "zh",
                     accept="image/*", limit=store.max_bytes, error_key="photos", field_name="photos",
                     case_id=None, work_item_id=None, keep_exif=keep_exif)


def test_a_text_file_named_jpg_is_refused_with_a_chinese_message_and_nothing_kept(session, tmp_path):
    store = FileStore(tmp_path / "files", 1024 * 1024)

    with pytest.raises(InvalidInput) as refused:
        _keep(session, store, "现场.jpg", b"not a photo at all", None)

    assert refused.value.details == {"photos": ["“现场.jpg”不是可以打开的图片（文件内容与图片格式不符或已损坏），未能上传"]}
    assert list(store.stored()) == []


def test_a_stored_photo_is_the_stripped_one_with_its_size(session, tmp_path):
    store = FileStore(tmp_path / "files", 1024 * 1024)

    row = _keep(session, store, "IMG_0001.jpg", _jpeg_with_gps(), "image/jpeg")

    with store.open(row.sha256) as stored:
        data = stored.read()
    assert _gps_of(data) == {} and row.size == len(data) and row.content_type == "image/jpeg"


def test_a_png_declared_as_jpeg_is_stored_as_png(session, tmp_path):
    store = FileStore(tmp_path / "files", 1024 * 1024)

    row = _keep(session, store, "screen.jpg", _png_with_metadata(), "image/jpeg")

    assert row.content_type == "image/png"


def test_a_photo_larger_than_the_limit_is_refused_before_it_is_decoded(session, tmp_path):
    photo = _jpeg_with_gps()
    store = FileStore(tmp_path / "files", len(photo) - 1)

    with pytest.raises(InvalidInput) as refused:
        _keep(session, store, "big.jpg", photo, "image/jpeg")

    assert "超过" in refused.value.details["photos"][0]
