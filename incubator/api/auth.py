"""API: tokens and the caller's own account."""

from __future__ import annotations

from datetime import datetime

from flask import g, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from incubator.api.core import PageQuery, current_api_user, endpoint, paginate
from incubator.api.errors import error_response
from incubator.auth import sessions
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.errors import ValidationFailed
from incubator.transaction import commit_now, settle


class TokenCreate(BaseModel):
    """Any string is a username or password to try: a wrong one of any length
    answers 401 and counts towards the failed-login throttle."""

    model_config = ConfigDict(extra="forbid")

    username: str
    password: str


class TokenOut(BaseModel):
    token: str
    expires_at: datetime


class UserOut(BaseModel):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    active: bool
    organization_ids: list[int]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            name=user.name,
            role=user.role,
            role_label=user.role_label,
            active=user.active,
            organization_ids=[o.id for o in user.led_organizations],
        )


@endpoint(
    "/tokens",
    "POST",
    summary="Log in: exchange username and password for a bearer token",
    tag="auth",
    body=TokenCreate,
    response=TokenOut,
    status=201,
    auth=False,
    errors=(400, 401, 422, 429),
)
def create_token(body: TokenCreate):
    try:
        user = sessions.authenticate(
            body.username, body.password, ip=request.remote_addr or ""
        )
    except ValidationFailed as exc:
        # Deliberate: the failed attempt counts toward the login throttle although
        # the answer is an error (which the unit of work would roll back).
        commit_now()
        return error_response(401, str(exc.message), code="wrong_credentials")
    raw, token = sessions.issue_token(user)
    settle()
    return TokenOut(token=raw, expires_at=token.expires_at)


@endpoint(
    "/tokens/current",
    "DELETE",
    summary="Log out: revoke the token of this request",
    tag="auth",
    status=204,
    errors=(401,),
)
def revoke_current_token():
    sessions.revoke_token(g.api_token, actor=current_api_user())
    settle()
    return "", 204


@endpoint(
    "/me",
    summary="The caller's own account",
    tag="auth",
    response=UserOut,
    errors=(401,),
)
def me():
    return UserOut.of(current_api_user())


class UserListQuery(PageQuery):
    role: Role | None = None
    active: bool | None = None
    q: str | None = Field(default=None, max_length=64)


class UserPage(BaseModel):
    items: list[UserOut]
    page: int
    per_page: int
    total: int


@endpoint(
    "/users",
    summary="List user accounts (admin)",
    tag="auth",
    query=UserListQuery,
    response=UserPage,
    roles=(Role.ADMIN,),
)
def list_users(query: UserListQuery):
    stmt = select(User).options(selectinload(User.led_organizations))
    if query.role is not None:
        stmt = stmt.where(User.role == query.role.value)
    if query.active is not None:
        stmt = stmt.where(User.active.is_(query.active))
    if query.q:
        needle = query.q.lower()
        stmt = stmt.where(
            or_(
                func.lower(User.username).contains(needle, autoescape=True),
                func.lower(User.name).contains(needle, autoescape=True),
            )
        )
    return paginate(stmt.order_by(User.username), query, UserOut.of)
