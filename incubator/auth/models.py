"""Users, their login sessions, API tokens and failed login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.auth.roles import Role
from incubator.database import UTCDateTime, utcnow
from incubator.extensions import Model

if TYPE_CHECKING:
    from incubator.organizations.models import Organization


class User(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # Where email reminders go (set by the user on their reminder settings).
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The user's scope: the ids of the communities they serve or oversee, comma
    # separated ("3,5"); empty means every community. Read and written only through
    # ``incubator.community.scope`` (communities are archived, never deleted).
    community_scope: Mapped[str] = mapped_column(
        String(500), default="", server_default=""
    )
    # 大字 mode: pages in large text (body >= 18 px, controls >= 44 px), on every
    # device this user logs in from. Set only through ``services.set_large_text``.
    large_text: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )

    led_organizations: Mapped[list[Organization]] = relationship(
        back_populates="leader",
        foreign_keys="Organization.leader_user_id",
        order_by="Organization.name",
    )

    __mapper_args__ = {"version_id_col": version}

    # Flask-Login protocol. ``is_active`` makes a deactivated user anonymous.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return self.role_enum.label

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class UserSession(Model):
    """One browser login. The cookie holds a random key; only its hash is stored.

    Logging out or changing the password revokes the row, so a cookie copied before
    gets no page afterwards.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginFailure(Model):
    """A failed login for a username, kept in the database so all workers count."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
