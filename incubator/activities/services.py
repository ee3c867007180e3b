"""Logging activities, their review, photos and the resources ledger. Pages and the
API call these; they flush and audit, never commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from incubator.activities import photos
from incubator.activities.models import (
    Activity,
    ActivityEvent,
    ActivityPhoto,
    ActivityVolunteer,
    Form,
    ResourceKind,
    ResourceLink,
    ReviewState,
    ServiceType,
    TargetGroup,
)
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES
from incubator.community.models import Compound
from incubator.errors import NotPermitted, RuleViolation, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_date, local_today
from incubator.money import clean_money
from incubator.organizations.access import can_see_organization
from incubator.organizations.models import Organization
from incubator.volunteers import hours as hours_service
from incubator.volunteers.access import may_manage_roster
from incubator.volunteers.models import Membership, ServiceRecord, Volunteer
from incubator.workflow import ACTIVITY_REVIEW

MAX_PERSON_TIMES = 10_000
EARLIEST = date(2000, 1, 1)
MAX_DURATION = timedelta(hours=24)
FIELDS = (
    "title",
    "form",
    "service_type",
    "target_group",
    "starts_at",
    "ends_at",
    "compound_id",
    "place",
    "person_times",
    "summary",
)


def runs_overnight(starts: datetime, ends: datetime) -> bool:
    """Whether an activity from ``starts`` to ``ends`` (aware datetimes) ends on a
    later calendar day than it starts, in the project's time zone."""
    return local_date(ends) > local_date(starts)


def _clean(values: dict, *, overnight: bool = False) -> dict:
    """Check and tidy an activity's fields (see ``FIELDS``).

    ``overnight`` is the logger's explicit statement that the activity ran past
    midnight: without it an end on a later day than the start is refused (a
    09:00 to 08:00 slip must not become a 23-hour activity, issue 13); with it
    the activity still lasts at most ``MAX_DURATION`` (24 hours). Raises
    ``ValidationFailed`` naming the field.
    """
    clean: dict[str, Any] = {}
    title = " ".join(str(values.get("title") or "").split())
    if not title:
        raise ValidationFailed(_l("Please enter the title."), field="title")
    if len(title) > 100:
        raise ValidationFailed(_l("At most %(n)d characters.", n=100), field="title")
    clean["title"] = title
    for field, enum in (
        ("form", Form),
        ("service_type", ServiceType),
        ("target_group", TargetGroup),
    ):
        value = values.get(field)
        if value not in {e.value for e in enum}:
            raise ValidationFailed(_l("Please choose one."), field=field)
        clean[field] = value
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        raise ValidationFailed(_l("Please enter when it started."), field="starts_at")
    if not isinstance(ends, datetime) or ends.tzinfo is None:
        raise ValidationFailed(_l("Please enter when it ended."), field="ends_at")
    starts_day: date | None
    ends_day: date | None
    try:
        starts_day, ends_day = local_date(starts), local_date(ends)
    except (OverflowError, ValueError):
        starts_day = ends_day = None
    if starts_day is None or starts_day < EARLIEST or ends_day is None:
        raise ValidationFailed(
            _l("The date must be between 2000 and today."), field="starts_at"
        )
    if ends < starts:
        raise ValidationFailed(
            _l("An activity cannot end before it starts."), field="ends_at"
        )
    if ends - starts > MAX_DURATION:
        raise ValidationFailed(
            _l("One log covers at most 24 hours; log longer activities day by day."),
            field="ends_at",
        )
    if runs_overnight(starts, ends) and not overnight:
        raise ValidationFailed(
            _l(
                "The activity ends on the next day. If it really ran past midnight, "
                "tick “Runs past midnight”; otherwise check the end time."
            ),
            field="ends_at",
        )
    if local_date(starts) > local_today():
        raise ValidationFailed(
            _l("Log an activity once it has taken place."), field="starts_at"
        )
    clean["starts_at"], clean["ends_at"] = starts, ends
    compound_id = values.get("compound_id")
    if compound_id is not None and db.session.get(Compound, compound_id) is None:
        raise ValidationFailed(_l("Unknown compound."), field="compound_id")
    clean["compound_id"] = compound_id
    place = " ".join(str(values.get("place") or "").split())
    if len(place) > 100:
        raise ValidationFailed(_l("At most %(n)d characters.", n=100), field="place")
    if compound_id is None and not place:
        raise ValidationFailed(
            _l("Say where: a compound or a room of the centre."), field="place"
        )
    clean["place"] = place
    person_times = values.get("person_times")
    if (
        isinstance(person_times, bool)
        or not isinstance(person_times, int)
        or not 0 <= person_times <= MAX_PERSON_TIMES
    ):
        raise ValidationFailed(
            _l("Person-times are a whole number from 0 to %(n)d.", n=MAX_PERSON_TIMES),
            field="person_times",
        )
    clean["person_times"] = person_times
    summary = str(values.get("summary") or "").strip()
    if len(summary) > 5000:
        raise ValidationFailed(_l("At most %(n)d characters.", n=5000), field="summary")
    clean["summary"] = summary
    return clean


def _clean_volunteers(
    org: Organization,
    entries,
    held_on,
    *,
    duration: timedelta | None = None,
    exclude_activity: int | None = None,
) -> list[tuple[Volunteer, Decimal]]:
    """[(volunteer_id, hours)] -> [(Volunteer, Decimal)], each on the roster."""
    result, seen = [], set()
    ids = [int(vid) for vid, _h in entries or []]
    members = {
        v.id: v
        for v in db.session.scalars(
            select(Volunteer)
            .join(Membership, Membership.volunteer_id == Volunteer.id)
            .where(
                Membership.organization_id == org.id,
                Volunteer.id.in_(ids),
                (Membership.left_on.is_(None)) | (Membership.left_on >= held_on),
            )
        )
    }
    for vid, raw_hours in entries or []:
        vid = int(vid)
        if vid in seen:
            raise ValidationFailed(
                _l("A volunteer is listed twice."), field="volunteer_hours"
            )
        seen.add(vid)
        if vid not in members:
            raise ValidationFailed(
                _l("Only volunteers on the organization's roster can be listed."),
                field="volunteer_hours",
            )
        try:
            hours = hours_service.clean_hours(raw_hours)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field="volunteer_hours") from None
        if duration is not None and hours > _rounded_up_hours(duration):
            raise ValidationFailed(
                _l("A volunteer's hours cannot exceed the activity's length."),
                field="volunteer_hours",
            )
        already = hours_service.hours_on_day(vid, held_on)
        if already + hours > hours_service.DAY_LIMIT:
            raise ValidationFailed(
                _l(
                    "Volunteer %(no)s already has %(done)s hours on that day; a day "
                    "holds at most 24 hours.",
                    no=members[vid].number,
                    done=already,
                ),
                field="volunteer_hours",
            )
        result.append((members[vid], hours))
    return result


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


def _event(activity: Activity, actor: User, action: str, reason: str = "") -> None:
    db.session.add(
        ActivityEvent(
            activity_id=activity.id, actor_id=actor.id, action=action, reason=reason
        )
    )


def log_activity(
    org: Organization,
    *,
    actor: User,
    volunteer_hours=(),
    submission_key: str | None = None,
    overnight: bool = False,
    **values,
) -> Activity:
    """Log an activity, waiting for review. The same ``submission_key`` twice (a
    double tap) returns the first activity instead of making a second.
    ``overnight=True`` allows an end after midnight (at most 24 hours in all)."""
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
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationFailed(_l("Unknown field."), field=sorted(unknown)[0])
    clean = _clean(values, overnight=overnight)
    held_on = local_date(clean["starts_at"])
    helpers = _clean_volunteers(
        org, volunteer_hours, held_on, duration=clean["ends_at"] - clean["starts_at"]
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
    return activity


def update_activity(
    activity: Activity,
    *,
    actor: User,
    expected_version: int | None,
    volunteer_hours=None,
    overnight: bool | None = None,
    **values,
) -> Activity:
    """Change a log. Any change sends it (back) to review; an approved log's
    service hours are withdrawn until it is approved again.

    ``overnight`` as in ``log_activity``; ``None`` (not said) keeps an activity
    already logged past midnight valid as long as its times are not changed.
    """
    org = activity.organization
    _may_log(actor, org)
    if expected_version is None or expected_version != activity.version:
        raise StaleRecord(
            _l(
                "Someone else changed this activity after you opened it; reload and "
                "edit again."
            )
        )
    merged = {field: getattr(activity, field) for field in FIELDS}
    merged.update({k: v for k, v in values.items() if k in FIELDS})
    if overnight is None:
        same_times = (merged["starts_at"], merged["ends_at"]) == (
            activity.starts_at,
            activity.ends_at,
        )
        overnight = same_times and runs_overnight(activity.starts_at, activity.ends_at)
    clean = _clean(merged, overnight=overnight)
    held_on = local_date(clean["starts_at"])
    back = ACTIVITY_REVIEW.find(activity.review_state, ReviewState.PENDING)
    if back is not None:
        # An approved log's hours leave the day totals before the new ones are
        # checked.
        ACTIVITY_REVIEW.apply(back, activity, actor=actor)
    if volunteer_hours is not None:
        helpers = _clean_volunteers(
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
    activity: Activity, *, actor: User, decision: str, reason: str = ""
) -> Activity:
    """Approve (the volunteers' hours become service records) or return with a
    reason, by ``workflow.ACTIVITY_REVIEW``. Admins and social workers only; only a
    log waiting for review."""
    ACTIVITY_REVIEW.authorize(actor.role, ReviewState.PENDING)
    ACTIVITY_REVIEW.require(activity.review_state, *REVIEW_DECISIONS.values())
    reason = " ".join((reason or "").split())
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
    _event(activity, actor, target.value, reason)
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
    return activity


# ---- the guards and effects the activity review names ----


def _not_own_log(activity: Activity, *, actor: User, **_context) -> None:
    if actor.role != "admin" and activity.logged_by_id == actor.id:
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
    *,
    actor: User,
    partner: str,
    kind: str,
    value,
    received_on,
    description: str = "",
    valuation_basis: str = "",
    organization: Organization | None = None,
    activity: Activity | None = None,
    evidence: tuple[bytes, str] | None = None,
) -> ResourceLink:
    """Add a ledger line. An org leader records only for their organization."""
    partner = " ".join((partner or "").split())
    if not partner or len(partner) > 100:
        raise ValidationFailed(
            _l("Name the partner (at most 100 characters)."), field="partner"
        )
    if kind not in {k.value for k in ResourceKind}:
        raise ValidationFailed(_l("Please choose one."), field="kind")
    amount = clean_money(value)
    if received_on is None or received_on > local_today():
        raise ValidationFailed(
            _l("The date cannot be in the future."), field="received_on"
        )
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
        partner=partner,
        kind=kind,
        value=amount,
        received_on=received_on,
        description=(description or "").strip()[:2000],
        valuation_basis=" ".join((valuation_basis or "").split())[:200],
        organization_id=organization.id if organization else None,
        activity_id=activity.id if activity else None,
        recorded_by_id=actor.id,
    )
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
