"""Who sees which ventures and which reviews.

Staff and viewers see the ventures of the organizations in their scope; an org
leader sees only their organization's.
Scores are blind: an assigned reviewer sees the other reviews of a venture only
after submitting their own; an org leader sees the result of their own venture once
it is decided, never single reviews; others see the result once it is decided.
"""

from __future__ import annotations

from enum import StrEnum

from flask import abort
from sqlalchemy import ColumnElement, select, true

from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.community.scope import scope_ids
from incubator.extensions import db
from incubator.organizations.access import can_see_organization, org_scope
from incubator.organizations.models import Organization
from incubator.ventures.lifecycle import DECIDED
from incubator.ventures.models import Venture, VentureReview

# Who may apply for a venture (an org leader for their own organization) and
# record its spending; who runs it.
APPLICANTS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
# Accounts that may sit on a review panel (street office staff are viewers).
REVIEWER_ROLES = frozenset({Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER})


def venture_scope(user: User) -> ColumnElement[bool]:
    if user.role == Role.ORG_LEADER:
        return Venture.organization_id.in_(
            select(Organization.id).where(Organization.leader_user_id == user.id)
        )
    if scope_ids(user) is None:
        return true()
    return Venture.organization_id.in_(select(Organization.id).where(org_scope(user)))


def get_visible_venture_or_404(user: User, venture_id: int) -> Venture:
    venture = db.session.get(Venture, venture_id)
    if venture is None or not can_see_organization(user, venture.organization):
        abort(404)
    return venture


def may_apply_for(user: User, org: Organization) -> bool:
    return user.role in STAFF_ROLES or (
        user.role == Role.ORG_LEADER and org.leader_user_id == user.id
    )


def may_record_spending(user: User, venture: Venture) -> bool:
    return may_apply_for(user, venture.organization)


class ReviewView(StrEnum):
    ALL = "all"  # every review with its scores
    OWN = "own"  # only the caller's own (not yet submitted) review
    RESULT = "result"  # the average and grade, no single review
    NONE = "none"


def review_view(user: User, venture: Venture, mine: VentureReview | None) -> ReviewView:
    if mine is not None:
        # Blind for everyone on the panel, the project lead included.
        return ReviewView.ALL if mine.submitted_at else ReviewView.OWN
    if user.role == Role.ADMIN:
        return ReviewView.ALL
    if venture.state in DECIDED:
        return ReviewView.RESULT
    return ReviewView.NONE
