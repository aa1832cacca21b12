"""JSON endpoints the studio's scripts call (session cookie + X-CSRFToken header, like any form post)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.definitions.bundle import Bundle, client_bundle
from engine.definitions.places import locate
from engine.definitions.service import deploy, validate
from engine.definitions.studio import check_path
from engine.errors import DefinitionInvalid
from engine.forms import load_form, validate_form_definition
from web.db import transaction
from web.forms.render import render_form
from web.i18n import current_locale
from web.identity import current_user
from web.lenient import load_input
from web.studio import bp
from web.studio.inputs import FilesInput, FormPreviewInput
from web.studio.problems import problem_rows


def _bundle() -> Bundle:
    return client_bundle(load_input(FilesInput(), request.get_json(silent=True) or {})["files"])


@bp.post("/validate")
def validate_files() -> Any:
    try:
        bundle = _bundle()
    except DefinitionInvalid as exc:
        return jsonify(valid=False, problems=problem_rows(exc.problems)), 422
    with transaction(readonly=True) as session:
        problems, _catalogue, _full = validate(session, bundle)
    return jsonify(valid=not problems, problems=problem_rows(problems))


@bp.post("/deploy")
def deploy_files() -> Any:
    """A new version of every process whose diagram, forms or decisions changed; 422 with the problems."""
    try:
        bundle = _bundle()
        with transaction() as session:
            result = deploy(session, bundle, actor=current_user().username)
            body = {"valid": True, "unchanged": result.unchanged, "deployment_id": result.deployment.id,
                    "new_versions": [{"process_key": v.process_key, "version": v.version}
                                     for v in result.new_versions]}
    except DefinitionInvalid as exc:
        return jsonify(valid=False, problems=problem_rows(exc.problems)), 422
    return jsonify(body)


@bp.post("/forms/preview")
def preview_form() -> Any:
    """The form as the task page would render it, by the server's own renderer; or the file's problems."""
    data = load_input(FormPreviewInput(), request.get_json(silent=True) or {})
    path = check_path(data["path"])
    problems = locate(validate_form_definition(data["text"], path), {path: data["text"]})
    if problems:
        return jsonify(problems=problem_rows(problems), html=None)
    form = load_form(data["text"], path)
    html = render_form(form, {}, {}, data["lang"] or current_locale(), action="#")
    return jsonify(problems=[], html=str(html))
