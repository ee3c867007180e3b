"""Logging activities, their review, photos and the resources ledger. Pages and the
API call these; they flush and audit, never commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from incubator import signals
from incubator.activities import photos
from incubator.activities.models import (
    Activity,
    ActivityEvent,
    ActivityPhoto,
    ActivityVolunteer,
    ResourceLink,
    ReviewState,
)
from incubator.activities.schemas import (
    DETAILS,
    ActivityChange,
    ActivityLog,
    ActivityReview,
    ResourceEntry,
    check_details,
    runs_overnight,
)
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES
from incubator.community.models import Compound, Room
from incubator.community.scope import community_for_new
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_date
from incubator.organizations.access import can_see_organization
from incubator.organizations.models import Organization
from incubator.volunteers import hours as hours_service
from incubator.volunteers.access import may_manage_roster
from incubator.volunteers.labels import named, telling_apart
from incubator.volunteers.models import Membership, ServiceRecord, Volunteer
from incubator.volunteers.schemas import clean_hours
from incubator.workflow import ACTIVITY_REVIEW


def _check_compound(compound_id: int | None) -> None:
    if compound_id is not None and db.session.get(Compound, compound_id) is None:
        raise ValidationFailed(_l("Unknown compound."), field="compound_id")


def _check_room(room_id: int | None, community_id: int | None) -> None:
    """A centre room named for an activity: open, of the activity's community."""
    if room_id is None:
        return
    room = db.session.get(Room, room_id)
    if room is None or room.archived or room.community_id != community_id:
        raise ValidationFailed(
            _l("Choose an open room of the organization's community centre."),
            field="room_id",
        )


def _check_volunteers(
    org: Organization,
    entries,
    held_on,
    *,
    duration: timedelta | None = None,
    exclude_activity: int | None = None,
) -> list[tuple[Volunteer, Decimal]]:
    """[(volunteer_id, hours)] -> [(Volunteer, Decimal)], each on the roster on
    ``held_on``, each within the activity's length and the day's 24 hours. A
    refusal about one volunteer names them (told apart from a namesake on the
    roster) and carries their id in ``details["volunteer_id"]``."""
    result, seen = [], set()
    roster = list(
        db.session.scalars(
            select(Volunteer)
            .join(Membership, Membership.volunteer_id == Volunteer.id)
            .where(
                Membership.organization_id == org.id,
                (Membership.left_on.is_(None)) | (Membership.left_on >= held_on),
            )
            .options(joinedload(Volunteer.compound))
        ).unique()
    )
    members = {v.id: v for v in roster}
    apart = telling_apart(roster)

    def refuse(message, vid: int) -> ValidationFailed:
        return ValidationFailed(
            _l(
                "%(name)s: %(problem)s",
                name=named(members[vid], apart),
                problem=message,
            ),
            field="volunteer_hours",
            details={"volunteer_id": vid},
        )

    for vid, raw_hours in entries or []:
        vid = int(vid)
        if vid not in members:
            raise ValidationFailed(
                _l("Only volunteers on the organization's roster can be listed."),
                field="volunteer_hours",
            )
        if vid in seen:
            raise refuse(_l("listed twice."), vid)
        seen.add(vid)
        try:
            hours = clean_hours(raw_hours)
        except ValidationFailed as exc:
            raise refuse(exc.message, vid) from None
        if duration is not None and hours > (longest := _rounded_up_hours(duration)):
            raise refuse(
                _l(
                    "%(hours)s hours is more than the activity's length "
                    "(%(longest)s hours).",
                    hours=_shown(hours),
                    longest=_shown(longest),
                ),
                vid,
            )
        already = hours_service.hours_on_day(vid, held_on)
        if already + hours > hours_service.DAY_LIMIT:
            raise refuse(
                _l(
                    "already has %(done)s hours on that day; a day holds at most "
                    "24 hours.",
                    done=_shown(already),
                ),
                vid,
            )
        result.append((members[vid], hours))
    return result


def _shown(hours: Decimal) -> str:
    """``Decimal("9.0")`` as 9, ``2.5`` as 2.5."""
    return format(hours.normalize(), "f")


def _rounded_up_hours(duration: timedelta) -> Decimal:
    halves = -(-int(duration.total_seconds()) // 1800)
    return Decimal(halves) / 2


def _may_log(actor: User, org: Organization) -> None:
    if org.archived:
        raise RuleViolation(_l("An archived organization logs no activities."))
    if actor.role in STAFF_ROLES or (
        actor.role == "org_leader" and org.leader_user_id == actor.id
    ):
        return
    raise NotPermitted(_l("You may log activities only for your own organization."))


def _event(
    activity: Activity, actor: User, action: str, reason: str = ""
) -> ActivityEvent:
    event = ActivityEvent(
        activity_id=activity.id, actor_id=actor.id, action=action, reason=reason
    )
    db.session.add(event)
    return event


def log_activity(org: Organization, entry: ActivityLog, *, actor: User) -> Activity:
    """Log an activity, waiting for review. ``org`` is the entry's organization,
    loaded (and shown to be visible) by the caller; ``entry.compound`` must be
    resolved already. The same ``submission_key`` twice (a double tap) returns the
    first activity instead of making a second."""
    submission_key = entry.submission_key
    if submission_key:
        existing = db.session.scalar(
            select(Activity).where(Activity.submission_key == submission_key)
        )
        if existing is not None:
            if existing.logged_by_id != actor.id:
                raise ValidationFailed(_l("This form was already used; reload it."))
            existing.duplicate_submission = True
            return existing
    _may_log(actor, org)
    clean = entry.details()
    _check_compound(clean["compound_id"])
    _check_room(clean["room_id"], org.community_id)
    held_on = local_date(clean["starts_at"])
    helpers = _check_volunteers(
        org, entry.hours(), held_on, duration=clean["ends_at"] - clean["starts_at"]
    )
    activity = Activity(
        organization_id=org.id,
        held_on=held_on,
        review_state=ReviewState.PENDING,
        logged_by_id=actor.id,
        submission_key=submission_key or None,
        volunteers=[ActivityVolunteer(volunteer_id=v.id, hours=h) for v, h in helpers],
        **clean,
    )
    changes = audit.pending_changes(activity)
    try:
        with db.session.begin_nested():
            db.session.add(activity)
            db.session.flush()
    except IntegrityError:
        # The same submission arrived twice at once: keep the first one.
        existing = db.session.scalar(
            select(Activity).where(Activity.submission_key == submission_key)
        )
        if existing is None:
            raise
        existing.duplicate_submission = True
        return existing
    audit.record("create", activity, actor=actor, changes=changes)
    _event(activity, actor, "logged")
    db.session.flush()
    signals.activity_saved.send(activity, actor=actor)
    return activity


def update_activity(
    activity: Activity,
    change: ActivityChange,
    *,
    actor: User,
    overnight: bool | None = None,
) -> Activity:
    """Change a log: the fields ``change`` sent replace the log's, and the log as
    it will be is checked (``check_details``). Any change sends it (back) to
    review; an approved log's service hours are withdrawn until it is approved
    again.

    ``overnight``: the logger says the activity runs past midnight (see
    ``check_details``); ``None`` (not said) keeps an activity already logged past
    midnight valid as long as its times are not changed.
    """
    org = activity.organization
    _may_log(actor, org)
    if change.version != activity.version:
        raise StaleRecord(
            _l(
                "Someone else changed this activity after you opened it; reload and "
                "edit again."
            )
        )
    merged = {field: getattr(activity, field) for field in DETAILS}
    merged.update(change.changes())
    if overnight is None:
        same_times = (merged["starts_at"], merged["ends_at"]) == (
            activity.starts_at,
            activity.ends_at,
        )
        overnight = same_times and runs_overnight(activity.starts_at, activity.ends_at)
    clean = check_details(merged, overnight=overnight)
    _check_compound(clean["compound_id"])
    if clean["room_id"] != activity.room_id:
        _check_room(clean["room_id"], activity.community_id)
    held_on = local_date(clean["starts_at"])
    volunteer_hours = change.hours()
    back = ACTIVITY_REVIEW.find(activity.review_state, ReviewState.PENDING)
    if back is not None:
        # An approved log's hours leave the day totals before the new ones are
        # checked.
        ACTIVITY_REVIEW.apply(back, activity, actor=actor)
    if volunteer_hours is not None:
        helpers = _check_volunteers(
            org,
            volunteer_hours,
            held_on,
            duration=clean["ends_at"] - clean["starts_at"],
        )
    for key, value in clean.items():
        setattr(activity, key, value)
    activity.held_on = held_on
    if volunteer_hours is not None:
        activity.volunteers = [
            ActivityVolunteer(volunteer_id=v.id, hours=h) for v, h in helpers
        ]
    previous = activity.review_state
    activity.review_state = ReviewState.PENDING
    audit.record("update", activity, actor=actor)
    _event(
        activity, actor, "resubmitted" if previous == ReviewState.RETURNED else "edited"
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l(
                "Someone else changed this activity at the same moment; "
                "reload and try again."
            )
        ) from None
    signals.activity_saved.send(activity, actor=actor)
    return activity


def _withdraw_hours(activity: Activity, actor: User, reason) -> None:
    """Void every service record that counts for this activity, including
    corrections made to them on the volunteers' pages."""
    live = db.session.scalars(
        select(ServiceRecord).where(
            ServiceRecord.activity_id == activity.id,
            ServiceRecord.superseded.is_(False),
            ServiceRecord.hours > 0,
        )
    ).all()
    for record in live:
        hours_service.correct_service(
            record, actor=actor, reason=str(reason), hours="0"
        )
    for helper in activity.volunteers:
        helper.service_record_id = None


# The decisions of a review and the state each leads to (``ACTIVITY_REVIEW``).
REVIEW_DECISIONS = {"approve": ReviewState.APPROVED, "return": ReviewState.RETURNED}


def review_activity(
    activity: Activity, review: ActivityReview, *, actor: User
) -> Activity:
    """Approve (the volunteers' hours become service records) or return with a
    reason, by ``workflow.ACTIVITY_REVIEW``. Admins and social workers only; only a
    log waiting for review."""
    ACTIVITY_REVIEW.authorize(actor.role, ReviewState.PENDING)
    ACTIVITY_REVIEW.require(activity.review_state, *REVIEW_DECISIONS.values())
    decision = review.decision
    reason = " ".join(review.reason.split())
    target = REVIEW_DECISIONS.get(decision)
    if target is None:
        # What every review checks comes before the decision, as it always did.
        _not_own_log(activity, actor=actor)
        raise ValidationFailed(
            _l("The decision is approve or return."), field="decision"
        )
    step = ACTIVITY_REVIEW.transition(activity.review_state, target)
    ACTIVITY_REVIEW.apply(step, activity, actor=actor, reason=reason)
    activity.review_state = target
    event = _event(activity, actor, target.value, reason)
    audit.record("review", activity, actor=actor, summary=decision)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecord(
            _l(
                "Someone else changed this activity at the same moment; "
                "reload and try again."
            )
        ) from None
    if target == ReviewState.RETURNED:
        # the leader hears of it (reminders records the notice in the outbox)
        signals.activity_returned.send(activity, event=event, actor=actor)
    return activity


# ---- the guards and effects the activity review names ----


def is_own_log(activity: Activity, user: User) -> bool:
    """Whether ``activity`` is a log ``user`` wrote and so may not review: a
    colleague (another social worker or the project lead) does. Admins may."""
    return user.role != "admin" and activity.logged_by_id == user.id


def _not_own_log(activity: Activity, *, actor: User, **_context) -> None:
    if is_own_log(activity, actor):
        raise RuleViolation(
            _l(
                "A log you wrote yourself is reviewed by another social worker or "
                "the project lead."
            )
        )


def _return_reason(activity: Activity, *, reason: str = "", **_context) -> None:
    if not reason:
        raise ValidationFailed(_l("Say what needs fixing."), field="reason")


def _approve(activity: Activity, *, actor: User, **_context) -> None:
    org = activity.organization
    for helper in activity.volunteers:
        record = hours_service.record_service(
            helper.volunteer,
            org,
            actor=actor,
            served_on=activity.held_on,
            hours=helper.hours,
            service=activity.title,
            activity_id=activity.id,
        )
        helper.service_record_id = record.id
    activity.return_reason = ""


def _return(activity: Activity, *, reason: str = "", **_context) -> None:
    activity.return_reason = reason[:2000]


def _withdraw_changed(activity: Activity, *, actor: User, **_context) -> None:
    _withdraw_hours(activity, actor, _l("The activity log was changed"))


ACTIVITY_REVIEW.bind(
    guards={"not_own_log": _not_own_log, "return_reason": _return_reason},
    effects={
        "approve": _approve,
        "return": _return,
        "withdraw_hours": _withdraw_changed,
    },
)


def add_photo(
    activity: Activity, data: bytes, original_name: str, *, actor: User
) -> ActivityPhoto:
    """Check, re-encode and attach a photo (``ValidationFailed`` if it is not a
    readable image within the limits, or the activity has its 9 already)."""
    return attach_photo(
        activity, photos.process_image(data), original_name, actor=actor
    )


def check_room_for_photos(activity: Activity, adding: int) -> None:
    """Refuse before anything is written when ``adding`` more would pass nine."""
    count = (
        db.session.scalar(
            select(func.count())
            .select_from(ActivityPhoto)
            .where(ActivityPhoto.activity_id == activity.id)
        )
        or 0
    )
    if count + adding > photos.MAX_PHOTOS:
        raise ValidationFailed(
            _l("At most %(n)d photos per activity.", n=photos.MAX_PHOTOS),
            field="photos",
        )


def _back_to_review(activity: Activity, actor: User) -> None:
    """A change to an approved log sends it back for review (a returned one
    waits for its author's fix)."""
    if activity.review_state == ReviewState.APPROVED:
        step = ACTIVITY_REVIEW.transition(activity.review_state, ReviewState.PENDING)
        ACTIVITY_REVIEW.apply(step, activity, actor=actor)
        activity.review_state = step.target
        _event(activity, actor, "edited")


def attach_photo(
    activity: Activity, processed, original_name: str, *, actor: User
) -> ActivityPhoto:
    _may_log(actor, activity.organization)
    _back_to_review(activity, actor)
    count = (
        db.session.scalar(
            select(func.count())
            .select_from(ActivityPhoto)
            .where(ActivityPhoto.activity_id == activity.id)
        )
        or 0
    )
    if count >= photos.MAX_PHOTOS:
        raise ValidationFailed(
            _l("At most %(n)d photos per activity.", n=photos.MAX_PHOTOS),
            field="photos",
        )
    name = photos.store_image(processed)
    photo = ActivityPhoto(
        activity_id=activity.id,
        stored_name=name,
        original_name=photos.clean_original_name(original_name),
        width=processed.width,
        height=processed.height,
        size=len(processed.full),
        uploaded_by_id=actor.id,
    )
    db.session.add(photo)
    audit.record("create", photo, actor=actor)
    db.session.flush()
    return photo


def delete_photo(photo: ActivityPhoto, *, actor: User) -> None:
    _may_log(actor, photo.activity.organization)
    _back_to_review(photo.activity, actor)
    audit.record(
        "delete", photo, actor=actor, changes={"stored_name": [photo.stored_name, None]}
    )
    db.session.delete(photo)
    db.session.flush()


# ---- the resources ledger ----


def record_resource(
    entry: ResourceEntry,
    *,
    actor: User,
    organization: Organization | None = None,
    activity: Activity | None = None,
    evidence: tuple[bytes, str] | None = None,
) -> ResourceLink:
    """Add a ledger line. ``organization`` and ``activity`` are the entry's,
    loaded (and shown to be visible) by the caller. An org leader records only
    for their organization."""
    if activity is not None:
        organization = organization or activity.organization
        if activity.organization_id != organization.id:
            raise ValidationFailed(
                _l("The activity belongs to another organization."), field="activity_id"
            )
    if actor.role not in STAFF_ROLES:
        if organization is None or not may_manage_roster(actor, organization):
            raise NotPermitted(
                _l("You may record resources only for your own organization.")
            )
    elif organization is not None and not can_see_organization(actor, organization):
        raise NotPermitted(_l("You are not allowed to do this."))
    line = ResourceLink(
        partner=entry.partner,
        kind=entry.kind.value,
        value=entry.amount,
        received_on=entry.received_on,
        description=entry.description,
        valuation_basis=entry.valuation_basis,
        organization_id=organization.id if organization else None,
        activity_id=activity.id if activity else None,
        recorded_by_id=actor.id,
    )
    if organization is None:
        line.community_id = community_for_new(actor, entry.community_id)
    if evidence is not None:
        data, original = evidence
        if data.startswith(b"%PDF-"):
            line.evidence_name = photos.store_pdf(data)
        else:
            line.evidence_name = photos.store_image(
                photos.process_image(data), "evidence"
            )
        line.evidence_original = photos.clean_original_name(original)
    db.session.add(line)
    audit.record("create", line, actor=actor)
    db.session.flush()
    return line
