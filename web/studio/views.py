"""Studio pages: lists, the editors (their scripts call web/studio/api.py), upload and download."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy, get_version, list_versions, process_summaries
from engine.definitions.studio import (
    DefinitionFile,
    check_path,
    decision_sources,
    deployed_file,
    deployed_files,
    modeler_names,
    new_form_text,
    upload_path,
)
from engine.errors import DefinitionInvalid, InvalidInput
from web.db import transaction
from web.i18n import _, current_locale
from web.identity import current_user
from web.lenient import load_input
from web.studio import bp
from web.studio.inputs import EditQuery, NewFileQuery
from web.studio.names import choice_list, decision_source_list, file_title
from web.studio.problems import problem_rows

MAX_UPLOAD_FILES = 50


def _names_json() -> dict[str, Any]:
    """What the properties panel offers, labelled in the page's language: every choice (a role or department,
    form, decision, process) reads as its name alone, namesakes told apart in words (web/studio/names.py);
    the code is only the value the file keeps."""
    zh = current_locale() == "zh"
    with transaction(readonly=True) as session:
        names = modeler_names(session)
    return {kind: choice_list(getattr(names, kind), zh) for kind in ("forms", "decisions", "lanes", "roles", "processes")}


def _form_names() -> dict[str, Any]:
    """What the form editor's fields view offers as an options source: the deployed decisions with the inputs
    that list their values."""
    with transaction(readonly=True) as session:
        sources = decision_sources(session)
    return {"decisions": decision_source_list(sources)}


@bp.get("/")
def index() -> Any:
    with transaction(readonly=True) as session:
        processes = process_summaries(session)
        files = deployed_files(session)
    return _index_page(processes, files)


def _index_page(processes: Any, files: list[DefinitionFile], **more: Any) -> str:
    zh = current_locale() == "zh"
    return render_template("studio/index.html", processes=processes, files=files,
                           titles={f.path: file_title(f, zh) for f in files}, **more)


@bp.get("/processes/<process_key>")
def process(process_key: str) -> Any:
    with transaction(readonly=True) as session:
        latest = get_version(session, process_key)
        versions = list_versions(session, process_key)
    return render_template("studio/process.html", latest=latest, versions=versions)


@bp.get("/processes/<process_key>/versions/<int(max=2147483647):version>.bpmn")
def version_file(process_key: str, version: int) -> Any:
    with transaction(readonly=True) as session:
        found = get_version(session, process_key, version)
        xml, name = found.bpmn_xml, found.bpmn_file.rsplit("/", 1)[-1]
    return _file_response(xml, name, "application/xml")


@bp.get("/processes/<process_key>/edit")
def edit_process(process_key: str) -> Any:
    args = load_input(EditQuery(), request.args.to_dict())
    with transaction(readonly=True) as session:
        found = get_version(session, process_key, args["version"])
        latest = get_version(session, process_key)
    return render_template("studio/modeler.html", version=found, latest=latest, names=_names_json())


@bp.get("/decisions/<path:path>")
def edit_decision(path: str) -> Any:
    with transaction(readonly=True) as session:
        deployed_file(session, path, suffix=".dmn")  # 404 before the editor loads
    return render_template("studio/decision.html", path=path)


@bp.get("/forms/new")
def new_form() -> Any:
    key = load_input(NewFileQuery(), request.args.to_dict())["key"] or "new_form"
    return render_template("studio/form.html", path=check_path(f"forms/{key}.json"), text=new_form_text(key),
                           is_new=True, names=_form_names())


@bp.get("/forms/<path:path>")
def edit_form(path: str) -> Any:
    with transaction(readonly=True) as session:
        text = deployed_file(session, path, folder="forms")
    return render_template("studio/form.html", path=path, text=text, is_new=False, names=_form_names())


@bp.get("/files/<path:path>")
def download(path: str) -> Any:
    with transaction(readonly=True) as session:
        text = deployed_file(session, path)
    mimetype = "application/json" if path.endswith(".json") else "application/xml" \
        if path.endswith((".bpmn", ".dmn")) else "text/plain"
    return _file_response(text, path.rsplit("/", 1)[-1], mimetype, inline=request.args.get("inline") == "1")


def _file_response(text: str, name: str, mimetype: str, inline: bool = False) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/upload")
def upload() -> Any:
    """Validate and deploy uploaded files together (laid over what is deployed); problems shown in place."""
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads or len(uploads) > MAX_UPLOAD_FILES:
        flash(_("Choose one or more definition files to upload."))
        return redirect(url_for("studio.index"))
    files: dict[str, str] = {}
    for storage in uploads:
        try:
            files[upload_path(storage.filename or "")] = storage.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{storage.filename} is not UTF-8 text", {"files": [str(exc)]}) from exc
    try:
        with transaction() as session:
            result = deploy(session, Bundle(files), actor=current_user().username)
            created = [f"{v.process_key} v{v.version}" for v in result.new_versions]
    except DefinitionInvalid as exc:
        with transaction(readonly=True) as session:
            processes, listed = process_summaries(session), deployed_files(session)
        return _index_page(processes, listed, problems=problem_rows(exc.problems)), 422
    if result.unchanged:
        flash(_("Nothing changed: the files are already deployed."))
    else:
        flash(_("Deployed. New versions: {versions}", versions=", ".join(created) or _("none")))
    return redirect(url_for("studio.index"))
