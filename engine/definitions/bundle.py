"""A set of definition files keyed by their path relative to the definitions root."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import DefinitionInvalid, Problem

FOLDERS = ("processes", "rules", "forms")
# Seed data read at `casegrid init --demo`, not a definition: it holds passwords, so no deployment
# (and no studio download) ever stores it.
SEED_ONLY_FILES = frozenset({"rules/demo_users.yaml"})
SUFFIXES = (".bpmn", ".dmn", ".json", ".yaml", ".yml")
# What each folder holds (kind_of files a path by its folder and suffix); forms may be named x.form.json.
FOLDER_SUFFIXES = {"processes": (".bpmn",), "rules": (".dmn", ".yaml", ".yml", ".json"), "forms": (".json",)}
# A path segment a file sent through the API or the studio may use: letters, digits, '_', '-', '.'.
# No spaces, quotes, CR/LF or backslashes: the name reaches headers (downloads), logs and problem lines.
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_.\-]+$")
MAX_PATH_CHARS = 300


def path_problem(path: str) -> str | None:
    """Why `path` is not a definition file name a client may send (processes/x.bpmn, rules/x.dmn|yaml|yml|json,
    forms/x.json, in sub-folders too), or None."""
    parts = path.split("/")
    if not path or len(path) > MAX_PATH_CHARS:
        return f"a file name must have 1 to {MAX_PATH_CHARS} characters"
    if any(part in ("", ".", "..") for part in parts):
        return "a file name may not contain empty, '.' or '..' segments"
    if not all(_SAFE_SEGMENT.match(part) for part in parts):
        return "a file name may use only letters, digits, '_', '-' and '.' (no spaces, quotes, line breaks or '\\')"
    allowed = FOLDER_SUFFIXES.get(parts[0])
    if allowed is None or len(parts) < 2:
        return "a file must lie under processes/, rules/ or forms/"
    if not parts[-1].endswith(allowed) or parts[-1] in allowed:
        return f"a file under {parts[0]}/ must end in {' or '.join(allowed)}"
    return None


def printable(path: str) -> str:
    """`path` on one line, control characters escaped, for a problem line about a refused name."""
    return path.encode("unicode_escape").decode("ascii")[:MAX_PATH_CHARS + 20]


def kind_of(path: str) -> str:
    """processes/x.bpmn -> 'bpmn'; rules/x.dmn -> 'dmn'; forms/x.json -> 'form'; rules/*.json -> 'ruleset'."""
    if path.endswith(".bpmn"):
        return "bpmn"
    if path.endswith(".dmn"):
        return "dmn"
    if path.endswith((".yaml", ".yml")):
        return "table"
    if path.startswith("forms/"):
        return "form"
    if path.startswith("rules/"):
        return "ruleset"
    return "unknown"


@dataclass
class Bundle:
    files: dict[str, str] = field(default_factory=dict)

    def of_kind(self, kind: str) -> dict[str, str]:
        return {path: text for path, text in sorted(self.files.items()) if kind_of(path) == kind}

    def without_seed_data(self) -> Bundle:
        return Bundle({path: text for path, text in self.files.items() if path not in SEED_ONLY_FILES})

    def overlay(self, other: Bundle) -> Bundle:
        return Bundle({**self.files, **other.files})

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for path, text in sorted(self.files.items()):
            digest.update(path.encode())
            digest.update(b"\0")
            digest.update(text.encode())
            digest.update(b"\0")
        return digest.hexdigest()


def _name_refused(path: str, problem: str) -> Problem:
    """The problem line of a refused file name, keyed by which rule of `path_problem` it breaks."""
    message = f"not a definition file name: {problem}"
    parts = path.split("/")
    if not path or len(path) > MAX_PATH_CHARS:
        return Problem(printable(path), None, message, key="file.name_length", params={"max": MAX_PATH_CHARS})
    if any(part in ("", ".", "..") for part in parts) or not all(_SAFE_SEGMENT.match(part) for part in parts):
        return Problem(printable(path), None, message, key="file.name_characters")
    allowed = FOLDER_SUFFIXES.get(parts[0])
    if allowed is None or len(parts) < 2:
        return Problem(printable(path), None, message, key="file.name_folder")
    return Problem(printable(path), None, message, key="file.name_suffix",
                   params={"folder": parts[0], "suffixes": " / ".join(allowed)})


def client_bundle(files: Mapping[str, str]) -> Bundle:
    """Files sent through the API or the studio as a bundle; DefinitionInvalid with one problem line per
    refused name (422) before anything is parsed."""
    problems = [_name_refused(path, problem)
                for path in sorted(files) if (problem := path_problem(path)) is not None]
    if problems:
        raise DefinitionInvalid(problems)
    return Bundle(dict(files))


def _relative_key(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            relative = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            relative = ""
        if relative.split("/", 1)[0] in FOLDERS:
            return relative
    # A loose file: file it by its suffix so validation knows what it is.
    if path.suffix == ".bpmn":
        return f"processes/{path.name}"
    if path.suffix in (".dmn", ".yaml", ".yml"):
        return f"rules/{path.name}"
    parent = path.parent.name
    return f"{parent if parent in FOLDERS else 'forms'}/{path.name}"


def load_root(root: Path) -> Bundle:
    """Every definition file under root's processes/, rules/ and forms/ folders."""
    files: dict[str, str] = {}
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return Bundle(files)


def load_paths(paths: Iterable[Path], root: Path | None = None) -> Bundle:
    """Files and folders named on a command line; a folder holding processes/ etc. is read as a root."""
    files: dict[str, str] = {}
    for path in paths:
        if path.is_dir():
            if any((path / folder).is_dir() for folder in FOLDERS):
                files.update(load_root(path).files)
                continue
            members = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in SUFFIXES]
            for member in members:
                files[_relative_key(member, root)] = member.read_text(encoding="utf-8")
        elif path.is_file():
            files[_relative_key(path, root)] = path.read_text(encoding="utf-8")
        else:
            raise FileNotFoundError(str(path))
    return Bundle(files)
