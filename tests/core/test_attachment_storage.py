"""The upload directory, the accept and size rules, and the cleaning of names: no database, no Flask."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from engine.attachments.limits import accept_in_words, accepts, human_size, size_limit
from engine.attachments.storage import FileStore
from engine.attachments.uploads import clean_filename, media_type
from engine.config import PROJECT_ROOT, load_settings
from engine.forms.fields import FieldSpec


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_file_is_named_by_its_sha256_and_the_same_content_is_kept_once(tmp_path):
    store = FileStore(tmp_path, max_bytes=1024)
    first = store.put(io.BytesIO(b"the same photo"))
    second = store.put(io.BytesIO(b"the same photo"))
    assert first == second and first is not None and first.size == 14
    assert _files(tmp_path) == [store.path_for(first.sha256)]
    assert store.path_for(first.sha256).relative_to(tmp_path).parts[:2] == (first.sha256[:2], first.sha256[2:4])
    with store.open(first.sha256) as stored:
        assert stored.read() == b"the same photo"


def test_a_file_longer_than_the_limit_is_not_kept_at_all(tmp_path):
    store = FileStore(tmp_path, max_bytes=1024)
    assert store.put(io.BytesIO(b"x" * 1025)) is None
    assert store.put(io.BytesIO(b"x" * 600), limit=500) is None
    assert _files(tmp_path) == []  # not even a temporary file
    assert store.put(io.BytesIO(b"x" * 1024)) is not None


def test_a_stored_name_is_only_ever_a_digest(tmp_path):
    with pytest.raises(ValueError):
        FileStore(tmp_path, 10).path_for("../../etc/passwd")


@pytest.mark.parametrize(("accept", "content_type", "name", "expected"), [
    ("image/*", "image/jpeg", "a.jpg", True),
    ("image/*", "application/pdf", "a.pdf", False),
    ("image/*", "image/jpeg", "a.pdf", True),  # the type decides, as in the browser's picker
    (".pdf,image/png", "application/octet-stream", "Notice.PDF", True),
    (".pdf,image/png", "image/png", "x.png", True),
    (".pdf,image/png", "image/gif", "x.gif", False),
    ("", "application/x-anything", "x.bin", True),
    ("*/*", "text/plain", "x.txt", True),
])
def test_accept_admits_a_file_when_any_entry_matches_its_type_or_extension(accept, content_type, name, expected):
    assert accepts(accept, content_type, name) is expected


def _photos_field(items: dict[str, object] | None = None) -> FieldSpec:
    schema = {"type": "array", **({"items": items} if items is not None else {})}
    return FieldSpec("photos", schema, "attachments", {"zh": "照片"}, False, ui_options={"accept": "image/*"})


@pytest.mark.parametrize(("accept", "lang", "words"), [
    ("image/*", "zh", "图片"),
    ("image/*", "en", "images"),
    ("image/*, application/pdf, .docx", "zh", "图片、PDF 文件、DOCX 文件"),
    ("image/jpeg,image/png", "en", "JPEG images, PNG images"),
])
def test_a_refused_file_type_names_what_the_field_takes_in_words_not_media_types(accept, lang, words):
    assert accept_in_words(accept, lang) == words


def test_the_forms_own_size_maximum_lowers_the_stores_limit_but_never_raises_it():
    capped = _photos_field({"properties": {"size": {"maximum": 10485760}}})
    assert size_limit(capped, 20 * 1024 * 1024) == 10485760
    assert size_limit(capped, 1024) == 1024
    assert size_limit(_photos_field(), 1024) == 1024
    assert size_limit(_photos_field({"properties": {"size": {"exclusiveMaximum": 100}}}), 1024) == 99
    assert human_size(10485760) == "10 MB" and human_size(1536) == "1.5 KB" and human_size(12) == "12 B"


def test_a_posted_file_name_loses_folders_and_control_characters_and_stays_within_255():
    assert clean_filename("C:\\Users\\wang\\现场\\照片.jpg") == "照片.jpg"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("bad\r\nname\x00.png") == "badname.png"
    assert clean_filename("") == clean_filename("..") == "attachment"
    long = clean_filename("长" * 300 + ".jpeg")
    assert len(long) == 255 and long.endswith(".jpeg")


def test_the_declared_type_is_used_unless_missing_or_malformed_then_the_name_decides():
    assert media_type("image/JPEG; charset=binary", "a.jpg") == "image/jpeg"
    assert media_type(None, "a.png") == "image/png"
    assert media_type("application/octet-stream", "a.pdf") == "application/pdf"
    assert media_type("not a type", "noextension") == "application/octet-stream"


def test_the_upload_directory_defaults_to_the_instance_folder_and_20_mib_per_file(tmp_path):
    defaults = load_settings({"CASEGRID_INSTANCE_DIR": str(tmp_path)})
    assert defaults.upload_dir == tmp_path / "uploads" and defaults.upload_max_bytes == 20 * 1024 * 1024
    chosen = load_settings({"CASEGRID_UPLOAD_DIR": str(tmp_path / "files"), "CASEGRID_UPLOAD_MAX_BYTES": "5000"})
    assert chosen.upload_dir == tmp_path / "files" and chosen.upload_max_bytes == 5000


def test_the_attachment_services_import_no_flask():
    code = ("import sys, engine.attachments.service, engine.commands.tasks; "
            "sys.exit('flask' in sys.modules or 'werkzeug' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT).returncode == 0
