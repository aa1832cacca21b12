"""The studio's test bench page: pick or paste a scenario, run it over what is deployed, read each line."""
from __future__ import annotations

from typing import Any

from flask import render_template, request

from engine.app.scenarios.isolated import ScenarioRunFailed, run_isolated
from engine.config import settings
from engine.definitions.service import latest_deployment
from engine.errors import InvalidInput
from web.db import transaction
from web.errors import error_text
from web.i18n import _
from web.lenient import load_input
from web.studio import bp
from web.studio.inputs import ScenarioInput, ScenarioQuery


def _shipped() -> dict[str, str]:
    folder = settings().definitions_root / "scenarios"
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yaml"))}


@bp.get("/scenarios")
def scenarios() -> Any:
    shipped = _shipped()
    args = load_input(ScenarioQuery(), request.args.to_dict())
    text = shipped.get(args["file"] or "", "") if args["file"] else ""
    return render_template("studio/scenarios.html", shipped=shipped, chosen=args["file"], text=text, result=None)


@bp.post("/scenarios")
def run_scenario() -> Any:
    typed = {k: str(request.form.get(k, "")) for k in ("text", "file")}
    try:
        args = load_input(ScenarioInput(), request.form.to_dict())
        with transaction(readonly=True) as session:
            deployment = latest_deployment(session)
            files = dict(deployment.files) if deployment is not None else {}
        result = run_isolated(args["text"], files)
    except (InvalidInput, ScenarioRunFailed) as exc:
        # Back on the page with the text as typed: an error page lost a scenario being written.
        refusal = _("Write or pick a scenario to run.") if not typed["text"].strip() else error_text(exc)
        return render_template("studio/scenarios.html", shipped=_shipped(), chosen=typed["file"][:200] or None,
                               text=typed["text"][:200_000], result=None, refusal=refusal), exc.status
    return render_template("studio/scenarios.html", shipped=_shipped(), chosen=args["file"], text=args["text"],
                           result=result)
