"""API: user accounts and their scope (admins; anyone may read their own).

Lives in community, above auth, because an account's scope is a set of
communities; the services are auth's, which announce the scope to
``incubator.community.users``."""

from __future__ import annotations

from flask import abort
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from incubator.api.auth import UserOut
from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.auth import services
from incubator.auth.models import User
from incubator.auth.roles import Role
from incubator.community.users import scopes_of, users_visible_to
from incubator.extensions import db
from incubator.transaction import settle


class UserAdminOut(UserOut):
    email: str
    version: int = Field(description="Send it back with a PATCH (409 if stale)")
    community_ids: list[int] = Field(
        description="The communities the user serves; empty means every community"
    )

    @classmethod
    def with_scope(cls, user: User, scope: list[int]) -> UserAdminOut:
        base = UserOut.of(user).model_dump()
        return cls(**base, email=user.email, version=user.version, community_ids=scope)


def _one(user: User) -> UserAdminOut:
    return UserAdminOut.with_scope(user, scopes_of([user.id]).get(user.id, []))


class UserListQuery(PageQuery):
    role: Role | None = None
    active: bool | None = None
    q: str | None = Field(default=None, max_length=64)


class UserPage(BaseModel):
    items: list[UserAdminOut]
    page: int
    per_page: int
    total: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    name: str = Field(max_length=64)
    role: Role
    password: str = Field(max_length=128)
    email: str = Field(default="", max_length=254)
    community_ids: list[Id] = Field(
        default_factory=list,
        max_length=200,
        description="The communities the user serves; empty means every community",
    )
    organization_ids: list[Id] = Field(
        default_factory=list,
        max_length=200,
        description="The organizations an organization leader leads",
    )


class UserPatch(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=64)
    role: Role | None = None
    email: str | None = Field(default=None, max_length=254)
    active: bool | None = None
    community_ids: list[Id] | None = Field(
        default=None, max_length=200, description="Empty means every community"
    )
    organization_ids: list[Id] | None = Field(default=None, max_length=200)
    version: int | None = None


def _page_items(users: list[User]) -> list[UserAdminOut]:
    scopes = scopes_of([u.id for u in users])
    return [UserAdminOut.with_scope(u, scopes.get(u.id, [])) for u in users]


@endpoint(
    "/users",
    summary="List user accounts (admin)",
    tag="auth",
    query=UserListQuery,
    response=UserPage,
    roles=(Role.ADMIN,),
)
def list_users(query: UserListQuery):
    stmt = (
        select(User)
        .options(selectinload(User.led_organizations))
        .where(users_visible_to(current_api_user()))
    )
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
    users, paging = page_rows(stmt.order_by(User.username), query)
    return {"items": [i.model_dump(mode="json") for i in _page_items(users)], **paging}


def _visible_user_or_404(user_id: int) -> User:
    actor = current_api_user()
    if user_id == actor.id:
        return actor
    if actor.role != Role.ADMIN:
        abort(404)
    user = db.session.scalar(
        select(User).where(User.id == user_id, users_visible_to(actor))
    )
    if user is None:
        abort(404)
    return user


@endpoint(
    "/users",
    "POST",
    summary="Create a user account with its role and scope (admin)",
    tag="auth",
    body=UserCreate,
    response=UserAdminOut,
    status=201,
    roles=(Role.ADMIN,),
)
def create_user(body: UserCreate):
    user = services.create_user(
        body.username,
        name=body.name,
        role=body.role.value,
        password=body.password,
        email=body.email,
        organization_ids=body.organization_ids,
        community_ids=body.community_ids,
        actor=current_api_user(),
    )
    settle()
    return _one(user)


@endpoint(
    "/users/<int:user_id>",
    summary="One user account (admin, or the user themself)",
    tag="auth",
    response=UserAdminOut,
    errors=(404,),
)
def get_user(user_id: int):
    return _one(_visible_user_or_404(user_id))


@endpoint(
    "/users/<int:user_id>",
    "PATCH",
    summary="Change a user's name, role, email, status or scope (admin)",
    tag="auth",
    body=UserPatch,
    response=UserAdminOut,
    roles=(Role.ADMIN,),
    errors=(403, 404, 409),
)
def patch_user(user_id: int, body: UserPatch):
    actor = current_api_user()
    user = _visible_user_or_404(user_id)
    sent = body.model_fields_set
    if sent - {"active", "version"}:
        services.update_user(
            user,
            actor=actor,
            name=body.name if body.name is not None else user.name,
            role=body.role.value if body.role is not None else user.role,
            organization_ids=(
                body.organization_ids
                if body.organization_ids is not None
                else [o.id for o in user.led_organizations]
            ),
            email=body.email,
            community_ids=body.community_ids,
            expected_version=body.version,
        )
    if body.active is not None:
        services.set_active(user, body.active, actor=actor)
    settle()
    return _one(user)
