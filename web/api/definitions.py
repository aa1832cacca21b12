"""Process definitions: list, versions, diagram XML; validate and deploy (roles that may model_processes)."""
from __future__ import annotations

from typing import Any

from flask import Response

from engine.definitions.bundle import client_bundle
from engine.definitions.service import deploy, get_version, list_versions, process_summaries, validate
from engine.org.abilities import Ability
from web.api.blueprint import Blueprint
from web.api.schemas import (
    DefinitionFilesSchema,
    DeployResultSchema,
    PageArgs,
    ProcessSummarySchema,
    ValidationResultSchema,
    VersionSchema,
    page,
    page_of,
)
from web.db import transaction
from web.identity import ability_required, current_user

PREFIX = "/definitions"
blp = Blueprint("api_definitions", __name__, description="Process definitions and their versions")
XML_RESPONSE = {"content": {"application/xml": {"schema": {"type": "string"}}}, "description": "BPMN 2.0 XML"}


@blp.get("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ProcessSummarySchema))
def list_processes(args: dict[str, Any]) -> Any:
    with transaction(readonly=True) as session:
        rows = process_summaries(session)
    items = [{"key": k, "name": n, "latest_version": v, "versions": c} for k, n, v, c in rows]
    return page(items[args["offset"]:args["offset"] + args["limit"]], len(items), args)


@blp.post("")
@ability_required(Ability.MODEL_PROCESSES)
@blp.arguments(DefinitionFilesSchema)
@blp.response(201, DeployResultSchema)
def deploy_files(body: dict[str, Any]) -> Any:
    """Validate and deploy files laid over what is deployed; 422 with each problem when invalid."""
    bundle = client_bundle(body["files"])
    with transaction() as session:
        result = deploy(session, bundle, actor=current_user().username)
        out = {"deployment_id": result.deployment.id, "unchanged": result.unchanged,
               "new_versions": [{"process_key": v.process_key, "version": v.version} for v in result.new_versions]}
    return out


@blp.post("/validate")
@ability_required(Ability.MODEL_PROCESSES)
@blp.arguments(DefinitionFilesSchema)
@blp.response(200, ValidationResultSchema)
def validate_files(body: dict[str, Any]) -> Any:
    bundle = client_bundle(body["files"])
    with transaction(readonly=True) as session:
        problems, _catalogue, _full = validate(session, bundle)
    return {"valid": not problems, "problems": [p.as_dict() for p in problems]}


@blp.get("/<process_key>/versions")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(VersionSchema))
def versions(args: dict[str, Any], process_key: str) -> Any:
    with transaction(readonly=True) as session:
        get_version(session, process_key)  # 404 for an unknown process, not an empty page
        rows = list_versions(session, process_key)
    return page(rows[args["offset"]:args["offset"] + args["limit"]], len(rows), args)


@blp.get("/<process_key>/versions/<int(max=2147483647):version>/diagram")
@blp.doc(responses={"200": XML_RESPONSE})
def diagram(process_key: str, version: int) -> Any:
    with transaction(readonly=True) as session:
        xml = get_version(session, process_key, version).bpmn_xml
    return Response(xml, mimetype="application/xml")


@blp.get("/<process_key>/diagram")
@blp.doc(responses={"200": XML_RESPONSE})
def latest_diagram(process_key: str) -> Any:
    with transaction(readonly=True) as session:
        xml = get_version(session, process_key).bpmn_xml
    return Response(xml, mimetype="application/xml")
