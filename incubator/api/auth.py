"""API: tokens and the caller's own account. The accounts (``/users``) are
administered in ``incubator.community.users_api``, which adds their scope."""

from __future__ import annotations

from datetime import datetime

from flask import g, request
from pydantic import BaseModel, ConfigDict

from incubator.api.core import current_api_user, endpoint
from incubator.api.errors import error_response
from incubator.auth import sessions
from incubator.auth.models import User
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
