"""How an API endpoint is declared: one decorator that registers the route, checks
the bearer token and role, validates the body and query with pydantic models, turns
domain errors into the JSON error format, and records everything the OpenAPI
document needs. The same models validate and document, so they cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated

from flask import Blueprint, g, jsonify, make_response, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Select

from incubator.api import idempotency
from incubator.api.errors import (
    domain_error_response,
    error_response,
    validation_error_response,
)
from incubator.api.normalize import InputRefused, validate_input
from incubator.auth.models import User
from incubator.auth.sessions import resolve_token
from incubator.errors import DomainError, ValidationFailed
from incubator.paging import (
    COUNT_CAP,
    Page,
    deepest_page,
    make_cursor,
    read_cursor,
    read_page,
)
from incubator.security import has_control_chars
from incubator.transaction import roll_back

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 200
MAX_PAGE = 100_000
# A cursor is a few sort keys, signed; anything longer is not one.
MAX_CURSOR_LENGTH = 1000
DEFAULT_PER_PAGE = 50
# The largest id a database row can have (a 32-bit integer column).
MAX_ID = 2**31 - 1


@dataclass
class ApiRoute:
    rule: str
    methods: tuple[str, ...]
    endpoint: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    roles: frozenset[str] = field(default_factory=frozenset)
    errors: tuple[int, ...] = ()

    @property
    def idempotent(self) -> bool:
        """A create: it takes an ``Idempotency-Key`` header."""
        return self.auth and self.status == 201 and "POST" in self.methods


ROUTES: list[ApiRoute] = []


def current_api_user() -> User:
    return g.api_user


def _find_control_chars(value, path: str = "") -> str | None:
    """The path of the first string holding a control character, or ``None``."""
    if isinstance(value, str):
        return path or "body" if has_control_chars(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if has_control_chars(str(key)):
                return sub
            found = _find_control_chars(item, sub)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_control_chars(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _read_json_body():
    """The decoded JSON object of the request; raises ``_BadBody`` otherwise."""
    raw = request.get_data(cache=True)
    if not raw:
        raise _BadBody(_("A JSON object is expected in the request body."))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; so are integers
        # too long to convert; RecursionError is nesting too deep.
        raise _BadBody(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise _BadBody(_("A JSON object is expected in the request body."))
    return data


class _BadBody(Exception):
    pass


def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    found = resolve_token(raw.strip())
    if found is None:
        return None
    user, _token = found
    g.api_token = _token
    return user


def endpoint(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = True,
    roles=(),
    errors: tuple[int, ...] = (),
) -> Callable:
    """Declare an API endpoint. The view gets ``body=`` / ``query=`` (validated
    models) when declared, and returns a model, a dict or a Flask response."""

    def decorator(view):
        name = view.__name__
        route = ApiRoute(
            rule=rule,
            methods=(method,),
            endpoint=name,
            summary=summary,
            tag=tag,
            body=body,
            query=query,
            response=response,
            status=status,
            auth=auth,
            roles=frozenset(str(r) for r in roles),
            errors=errors,
        )
        ROUTES.append(route)

        @wraps(view)
        def wrapped(**kwargs):
            if auth:
                user = _authenticate()
                if user is None:
                    return error_response(401)
                g.api_user = user
                if route.roles and user.role not in route.roles:
                    return error_response(403)
            data = None
            try:
                if query is not None:
                    args = {k: request.args.get(k) for k in request.args}
                    kwargs["query"] = validate_input(query, args, in_query=True)
                elif request.args:
                    return _unknown_parameters(request.args)
                if body is not None:
                    data = _read_json_body()
                    bad = _find_control_chars(data)
                    if bad:
                        return error_response(
                            422,
                            fields={bad: [_("Control characters are not allowed.")]},
                        )
                    kwargs["body"] = validate_input(body, data)
            except _BadBody as exc:
                return error_response(400, str(exc))
            except InputRefused as exc:
                return error_response(422, fields=exc.fields)
            except ValidationError as exc:
                return validation_error_response(exc)
            except DomainError as exc:
                return domain_error_response(exc)
            key = request.headers.get(idempotency.HEADER) if route.idempotent else None
            if key is None:
                return _run(view, kwargs, status)
            return _run_idempotent(view, kwargs, status, key, data)

        bp.add_url_rule(rule, endpoint=name, view_func=wrapped, methods=[method])
        return wrapped

    return decorator


def _run(view, kwargs: dict, status: int):
    try:
        result = view(**kwargs)
    except DomainError as exc:
        roll_back(exc)
        return domain_error_response(exc)
    return _to_response(result, status)


def _run_idempotent(view, kwargs: dict, status: int, key: str, data):
    """``_run`` under an ``Idempotency-Key``: claim it (or answer as before), run
    the view with its commits deferred, store the answer with the key, and commit
    both with what the view wrote, once."""
    claimed = idempotency.claim(g.api_user.id, key, idempotency.fingerprint(data))
    if not isinstance(claimed, idempotency.IdempotencyKey):
        return claimed
    error = None
    with idempotency.commits_deferred():
        try:
            result = view(**kwargs)
        except DomainError as exc:
            error = exc
    if error is not None:
        # The key goes with the refused change; what the error keeps (e.g. an
        # audit event) is committed as without a key.
        roll_back(error)
        return domain_error_response(error)
    response = _to_response(result, status)
    idempotency.finish(claimed, response)
    return response


def _unknown_parameters(args) -> object:
    return error_response(
        422,
        fields={name: [_("Unknown query parameter.")] for name in args},
    )


def _to_response(result, status: int):
    if isinstance(result, BaseModel):
        response = jsonify(result.model_dump(mode="json"))
    elif isinstance(result, dict | list):
        response = jsonify(result)
    else:
        return make_response(result)
    response.status_code = status
    return response


# An id as the database holds it; larger values are refused, not a database error.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PageQuery(BaseModel):
    """``?page=&per_page=`` (default 50, at most 200), or ``?after=<cursor>`` (the
    ``next`` of the previous answer) for keyset paging."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    after: str | None = Field(
        default=None,
        max_length=MAX_CURSOR_LENGTH,
        description="The `next` cursor of the previous page: the rows after it, "
        "as fast at any depth as the first page. `page` is then not used.",
    )

    # Unknown query parameters answer 422 naming them (a misspelt filter must not
    # silently list everything).
    model_config = {"extra": "forbid"}

    def clamp(self) -> tuple[int, int]:
        page = min(max(1, self.page), MAX_PAGE)
        return page, min(max(1, self.per_page), MAX_PER_PAGE)


def _read(stmt: Select, query: PageQuery) -> tuple[Page, dict]:
    page, per_page = query.clamp()
    after = None
    if query.after:
        after, page = read_cursor(stmt, query.after)
    elif page > deepest_page(per_page):
        raise ValidationFailed(
            _(
                "Pages past the first %(n)d rows are read with “after”: pass the "
                "“next” value of the previous page.",
                n=COUNT_CAP,
            ),
            field="page",
        )
    found = read_page(stmt, page=page, per_page=per_page, after=after)
    return found, {
        "page": found.page,
        "per_page": found.per_page,
        "total": found.total,
        "total_capped": found.total_capped,
        "next": make_cursor(stmt, found),
    }


def paginate(stmt: Select, query: PageQuery, serialize: Callable) -> dict:
    """``{"items", "page", "per_page", "total", "total_capped", "next"}`` for
    ``stmt`` (one entity, ordered). ``total`` stops at ``COUNT_CAP`` (then
    ``total_capped`` is true); ``next`` is the cursor of the following page, or
    ``None`` on the last. Raises ``ValidationFailed`` for a bad cursor (422)."""
    found, meta = _read(stmt, query)
    items = [serialize(row) for row in found.items]
    return {
        "items": [
            item.model_dump(mode="json") if isinstance(item, BaseModel) else item
            for item in items
        ],
        **meta,
    }


def page_rows(stmt: Select, query: PageQuery) -> tuple[list, dict]:
    """One page of ``stmt``'s rows and the paging keys (as ``paginate``), for
    lists whose items are serialized together (to load what they show in a fixed
    number of queries)."""
    found, meta = _read(stmt, query)
    return found.items, meta
