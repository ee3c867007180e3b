"""The OpenAPI 3.1 document, built from the routes declared with ``endpoint`` and
the pydantic models they validate with."""

from __future__ import annotations

import re

from flask import current_app, jsonify

from incubator.api import idempotency
from incubator.api.core import MAX_ID, ROUTES, ApiRoute, bp, endpoint
from incubator.api.errors import HTTP_CODES
from incubator.paging import COUNT_CAP

REF = "#/components/schemas/{model}"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string"},
                    },
                },
                "details": {
                    "type": "object",
                    "description": "allowed (next states), failed (unmet rules) "
                    "or remaining (money left), where the refusal has them",
                },
            },
        }
    },
}


IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "A key of your choice (e.g. a UUID) for this create. A retry with "
    "the same key and the same request answers the first result (with "
    "Idempotent-Replayed: true) and creates nothing; the same key with a different "
    "request answers 422. Keys are kept 24 hours, per user.",
    "schema": {
        "type": "string",
        "pattern": idempotency.KEY_PATTERN,
        "maxLength": idempotency.MAX_KEY_LENGTH,
    },
}


def _add_schema(schemas: dict, name: str, schema: dict) -> None:
    """Add a component; two different models of one name would make one
    operation document the other's body, so that is refused."""
    if schemas.setdefault(name, schema) != schema:
        raise ValueError(f"two API models are named {name}: rename one")


def _schema_ref(model, schemas: dict, mode: str) -> dict:
    schema = model.model_json_schema(ref_template=REF, mode=mode)
    for name, sub in schema.pop("$defs", {}).items():
        _add_schema(schemas, name, sub)
    # A use case's model may keep the name the document always gave its body
    # (``model_config = ConfigDict(title="RoundIn")``).
    name = model.model_config.get("title") or model.__name__
    _add_schema(schemas, name, schema)
    return {"$ref": REF.format(model=name)}


def _path_and_params(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(match):
        converter, name = match.group(1), match.group(2)
        # Flask's int converter takes digits only; larger than a database id
        # answers 404.
        schema = (
            {"type": "integer", "minimum": 0, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string"}
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _CONVERTER.sub(repl, rule), params


def _query_params(route: ApiRoute, schemas: dict) -> list[dict]:
    if route.query is None:
        return []
    schema = route.query.model_json_schema(ref_template=REF, mode="validation")
    for name, sub in schema.pop("$defs", {}).items():
        _add_schema(schemas, name, sub)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


PAGING_DESCRIPTION = (
    ' Lists answer {"items", "page", "per_page", "total", '
    '"total_capped", "next"}. `total` counts at most '
    f"{COUNT_CAP:,} rows; `total_capped` is true when there are more. `next` is an "
    "opaque cursor (null on the last page): pass it as `?after=` for the rows that "
    "follow, as fast at any depth as the first page, with the same filters; a "
    "changed cursor answers 422. `?page=` reads the pages within the first "
    f"{COUNT_CAP:,} rows; deeper, it answers 422 and `after` goes on."
)

PAGE_KEYS = {"items", "page", "per_page", "total"}
PAGE_EXTRA = {
    "total_capped": {
        "type": "boolean",
        "description": f"More rows than `total`, which stops at {COUNT_CAP:,}.",
    },
    "next": {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "description": "The cursor of the following page, for `?after=`; null "
        "on the last page.",
    },
}


def _with_paging_keys(schemas: dict) -> None:
    """Every list's page schema gains ``total_capped`` and ``next`` (added by
    ``paginate`` / ``page_rows`` to each list answer)."""
    for schema in schemas.values():
        props = schema.get("properties", {})
        if PAGE_KEYS <= props.keys():
            props.update(PAGE_EXTRA)


def build_document() -> dict:
    schemas: dict = {"Error": ERROR_SCHEMA}
    paths: dict = {}
    for route in ROUTES:
        path, params = _path_and_params(f"{bp.url_prefix}{route.rule}")
        op: dict = {
            "operationId": route.endpoint,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": params
            + _query_params(route, schemas)
            + ([IDEMPOTENCY_PARAMETER] if route.idempotent else []),
            "responses": {},
        }
        if route.auth:
            op["security"] = [{"bearer": []}]
        else:
            op["security"] = []
        if route.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _schema_ref(route.body, schemas, "validation")
                    }
                },
            }
        ok: dict = {"description": "OK" if route.status != 201 else "Created"}
        if route.response is not None:
            ok["content"] = {
                "application/json": {
                    "schema": _schema_ref(route.response, schemas, "serialization")
                }
            }
        op["responses"][str(route.status)] = ok
        # 400 (malformed, e.g. control characters anywhere in the request) and
        # 422 (an unknown query parameter) may answer any route; 404 any route
        # with an id in its path.
        codes = set(route.errors) | {400, 422}
        if params:
            codes |= {404}
        if route.auth:
            codes |= {401}
        if route.roles:
            codes |= {403}
        for code in sorted(codes):
            op["responses"][str(code)] = {
                "description": HTTP_CODES.get(code, "error"),
                "content": {
                    "application/json": {"schema": {"$ref": REF.format(model="Error")}}
                },
            }
        for method in route.methods:
            paths.setdefault(path, {})[method.lower()] = op
    _with_paging_keys(schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "incubator API",
            "version": "1",
            "description": "社区社会组织孵化管理 JSON API. Errors: "
            '{"error": {"code", "message", "fields"}}.' + PAGING_DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@endpoint(
    "/openapi.json",
    summary="This OpenAPI 3.1 document",
    tag="meta",
    auth=False,
)
def openapi_json():
    document = current_app.extensions.get("incubator_openapi")
    if document is None:
        document = build_document()
        current_app.extensions["incubator_openapi"] = document
    return jsonify(document)
