"""API: follow-ups. Thin adapters onto ``incubator.followups``."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from incubator.api.core import Id, PageQuery, current_api_user, endpoint, page_rows
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.followups import services as followup_services
from incubator.followups.models import FollowUp
from incubator.followups.queries import (
    followup_view,
    followups_query,
    open_and_overdue,
)
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.i18n import local_today
from incubator.organizations.access import (
    can_see_organization,
    get_visible_organization_or_404,
)
from incubator.transaction import settle

TAG = "sessions"
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
SAFE_DAY: dict[str, Any] = {"ge": date(2000, 1, 1), "le": date(2100, 12, 31)}


class FollowUpOut(BaseModel):
    id: int
    organization_id: int
    kind: str
    kind_label: str
    due_on: date
    assignee_id: int | None
    notes: str
    state: str
    overdue: bool
    done_on: date | None
    outcome: str
    origin: str
    version: int

    @classmethod
    def of(cls, f: FollowUp) -> FollowUpOut:
        # Validated from the read model (``FollowUpView``).
        return cls.model_validate(followup_view(f), from_attributes=True)


class FollowUpPage(BaseModel):
    items: list[FollowUpOut]
    page: int
    per_page: int
    total: int


class FollowUpQuery(PageQuery):
    organization_id: Id | None = None
    assignee_id: Id | None = None
    state: str | None = Field(default=None, pattern="^(open|done|cancelled)$")
    overdue: bool | None = None


@endpoint(
    "/followups",
    summary="Follow-ups, by due date; overdue is derived (open and past due)",
    tag=TAG,
    query=FollowUpQuery,
    response=FollowUpPage,
    roles=STAFF,
)
def list_followups(query: FollowUpQuery):
    state = "overdue" if query.overdue else (query.state or "all")
    stmt = followups_query(
        state=state,
        assignee_id=query.assignee_id,
        organization_id=query.organization_id,
        user=current_api_user(),
    )
    if state == "all" and query.state is None and query.overdue is False:
        stmt = stmt.where(~open_and_overdue(local_today()))
    elif query.state == "cancelled":
        stmt = stmt.where(FollowUp.state == "cancelled")
    items, meta = page_rows(stmt, query)
    return {"items": [FollowUpOut.of(f).model_dump(mode="json") for f in items], **meta}


@endpoint(
    "/followups",
    "POST",
    summary="Schedule a follow-up (one per organization, day and kind)",
    tag=TAG,
    body=FollowUpPlan,
    response=FollowUpOut,
    status=201,
    roles=STAFF,
    errors=(404, 409),
)
def create_followup(body: FollowUpPlan):
    org = get_visible_organization_or_404(current_api_user(), body.organization_id)
    followup = followup_services.schedule_followup(org, body, actor=current_api_user())
    settle()
    return FollowUpOut.of(followup)


class CompleteOut(BaseModel):
    completed: FollowUpOut
    next: FollowUpOut | None = Field(description="Scheduled by the stage's cadence")


@endpoint(
    "/followups/<int:followup_id>/complete",
    "POST",
    summary="Complete with an outcome; the next is scheduled by the stage cadence",
    tag=TAG,
    body=FollowUpCompletion,
    response=CompleteOut,
    roles=STAFF,
    errors=(404, 409),
)
def complete_followup(followup_id: int, body: FollowUpCompletion):
    followup = db.session.scalar(
        select(FollowUp)
        .where(FollowUp.id == followup_id)
        .options(joinedload(FollowUp.organization))
    )
    if followup is None or not can_see_organization(
        current_api_user(), followup.organization
    ):
        abort(404)
    following = followup_services.complete_followup(
        followup, body, actor=current_api_user()
    )
    settle()
    return CompleteOut(
        completed=FollowUpOut.of(followup),
        next=FollowUpOut.of(following) if following else None,
    )
