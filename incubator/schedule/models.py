from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from incubator.extensions import Model


class CalendarFeed(Model):
    """The version of a user's private calendar feed URL; resetting bumps it, and
    the URL of every earlier version stops working at once."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
