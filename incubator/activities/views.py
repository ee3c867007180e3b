"""Activity pages: the list and its filters, the month calendar, the review queue,
logging and editing (made for a phone), review, and photos."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from incubator import signals, storage
from incubator.activities import photos as photo_files
from incubator.activities import services
from incubator.activities.export import ACTIVITIES, activity_filters, day_arg
from incubator.activities.forms import ActivityForm, ReviewForm
from incubator.activities.models import (
    Activity,
    ActivityPhoto,
    ActivityVolunteer,
    ReviewState,
)
from incubator.activities.queries import (
    DAY_CAP,
    activities_by_day,
    activities_query,
    activity_history,
    activity_ledger,
    activity_view,
    not_own_log,
)
from incubator.activities.schemas import ActivityChange, ActivityLog, ActivityReview
from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.community.queries import room_choices
from incubator.errors import DomainError, StaleRecord, ValidationFailed
from incubator.extensions import db
from incubator.forms import EmptyForm, form_input
from incubator.i18n import local_today, local_zone
from incubator.organizations.access import can_see_organization
from incubator.organizations.models import Organization
from incubator.organizations.views import caseload_filter, compound_choices
from incubator.paging import paginate
from incubator.periods import month_key, month_range
from incubator.security import id_arg
from incubator.spreadsheets import answer_export
from incubator.transaction import after_commit, roll_back, run_and_flash
from incubator.volunteers.access import manageable_organizations
from incubator.volunteers.labels import telling_apart
from incubator.volunteers.models import Membership, Volunteer

bp = Blueprint("activities", __name__, url_prefix="/activities")

PER_PAGE = 20
LOGGERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)


def _visible_activity(activity_id: int) -> Activity:
    activity = db.session.scalar(
        select(Activity)
        .where(Activity.id == activity_id)
        .options(
            joinedload(Activity.organization),
            joinedload(Activity.compound),
            selectinload(Activity.photos),
            selectinload(Activity.volunteers).joinedload(ActivityVolunteer.volunteer),
        )
    )
    if activity is None or not can_see_organization(
        current_user, activity.organization
    ):
        abort(404)
    return activity


def _filters():
    form, filters = activity_filters(current_user, request.args)
    return form, activities_query(current_user, **filters)


@bp.route("")
@roles_required()
def index():
    form, query = _filters()
    page = paginate(query, PER_PAGE)
    sw_id = id_arg(request.args.get("sw"))
    return render_template(
        "activities/index.html",
        form=form,
        page=page,
        day=day_arg(request.args.get("day")),
        sw_id=sw_id,
        sw_name=db.session.scalar(select(User.name).where(User.id == sw_id))
        if sw_id
        else None,
    )


@bp.route("/export.xlsx")
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER, Role.ORG_LEADER)
def export():
    return answer_export(ACTIVITIES, current_user, request.args)


@bp.route("/calendar")
@roles_required()
def calendar():
    month = month_range(request.args.get("month")) or month_range(
        month_key(local_today())
    )
    assert month is not None  # this month is a month
    start, end = month
    who = caseload_filter()
    by_day, totals = activities_by_day(
        current_user, start, end, social_worker_id=who.sw_id
    )
    first = start - timedelta(days=start.weekday())
    weeks: list[list[date]] = []
    day = first
    while day < end or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(day)
        day += timedelta(days=1)
    previous = month_key(start - timedelta(days=1))
    return render_template(
        "activities/calendar.html",
        weeks=weeks,
        by_day=by_day,
        totals=totals,
        cap=DAY_CAP,
        who=who,
        start=start,
        previous=previous,
        following=month_key(end),
        today=local_today(),
    )


@bp.route("/review")
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER)
def review_queue():
    """Logs waiting for review: a social worker's caseload, or everyone's for an
    admin (``?all=1`` shows everyone's to a social worker too)."""
    query = activities_query(current_user, review_state=ReviewState.PENDING)
    mine = current_user.role == Role.SOCIAL_WORKER and request.args.get("all") != "1"
    if mine:
        query = query.where(Organization.social_worker_id == current_user.id)
    query = query.order_by(None).order_by(Activity.created_at, Activity.id)
    # Her own logs are not hers to review: listed apart, without buttons.
    page = paginate(query.where(not_own_log(current_user)), PER_PAGE)
    own = (
        db.session.scalars(
            query.where(Activity.logged_by_id == current_user.id).limit(PER_PAGE)
        )
        .unique()
        .all()
        if current_user.role != Role.ADMIN
        else []
    )
    return render_template(
        "activities/review_queue.html", page=page, mine=mine, own=own
    )


def _organization_for_new() -> Organization | None:
    orgs = manageable_organizations(current_user)
    wanted = id_arg(request.args.get("org")) or id_arg(request.form.get("org"))
    if wanted:
        found = next((o for o in orgs if o.id == wanted), None)
        if found is None:
            abort(404)
        return found
    return orgs[0] if len(orgs) == 1 else None


def _roster(org: Organization) -> list[Volunteer]:
    return list(
        db.session.scalars(
            select(Volunteer)
            .join(Membership, Membership.volunteer_id == Volunteer.id)
            .where(
                Membership.organization_id == org.id,
                Membership.left_on.is_(None),
                Volunteer.anonymized_at.is_(None),
            )
            .options(joinedload(Volunteer.compound))
            .order_by(Volunteer.name, Volunteer.id)
        ).unique()
    )


def _picked_from_form() -> dict[int, str | None]:
    """{volunteer id: hours typed} of the ticked ``vol-<id>`` boxes, to show the
    form again; a box whose id is not a record id (a tampered form) is left out,
    never a 500."""
    picked = {}
    for key in request.form:
        if key.startswith("vol-") and (volunteer_id := id_arg(key[4:])) is not None:
            picked[volunteer_id] = request.form.get(f"hours-{key[4:]}")
    return picked


def _volunteer_hours(roster: list[Volunteer]) -> list[dict]:
    picked = []
    for volunteer in roster:
        if request.form.get(f"vol-{volunteer.id}"):
            hours = request.form.get(f"hours-{volunteer.id}", "").strip()
            picked.append({"volunteer_id": volunteer.id, "hours": hours})
    return picked


def _refused_volunteer(error: DomainError) -> dict[int, str]:
    """{volunteer id: message} when the refusal is about one volunteer's hours,
    to show it on their row of the list too."""
    volunteer_id = error.details.get("volunteer_id")
    return {volunteer_id: str(error.message)} if volunteer_id else {}


def _moment(day: date, at: time) -> datetime:
    moment = datetime.combine(day, at, tzinfo=local_zone())
    if not 2000 <= day.year <= 2100:
        raise ValidationFailed(
            _("The date must be between 2000 and today."), field="held_on"
        )
    return moment


def _values(form: ActivityForm) -> dict:
    """The log's fields from the form. The end time is on the start's day
    unless "runs past midnight" is ticked (then on the next day): an end time
    before the start time is a slip to correct, not a 23-hour activity."""
    starts = _moment(form.held_on.data, form.start_time.data)
    ends = _moment(form.held_on.data, form.end_time.data)
    if form.overnight.data:
        ends = _moment(form.held_on.data + timedelta(days=1), form.end_time.data)
    elif ends < starts:
        raise ValidationFailed(
            _(
                "The end time is earlier than the start time. If the activity ran "
                "past midnight, tick “Runs past midnight”."
            ),
            field="end_time",
        )
    return {
        "overnight": bool(form.overnight.data),
        "title": form.title.data,
        "form": form.form.data,
        "service_type": form.service_type.data,
        "target_group": form.target_group.data,
        "starts_at": starts,
        "ends_at": ends,
        "compound_id": form.compound_id.data,
        "room_id": form.room_id.data,
        "place": form.place.data or "",
        "person_times": form.person_times.data,
        "summary": form.summary.data or "",
    }


def _uploads() -> list:
    """Every chosen photo, checked before anything is saved."""
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) > photo_files.MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(n)d photos per activity.", n=photo_files.MAX_PHOTOS),
            field="photos",
        )
    checked = []
    for upload in files:
        try:
            checked.append((photo_files.process_image(upload.read()), upload.filename))
        except DomainError as exc:
            exc.message = (
                f"{photo_files.clean_original_name(upload.filename)}：{exc.message}"
            )
            raise
    return checked


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*LOGGERS)
def new():
    org = _organization_for_new()
    if org is None:
        return render_template(
            "activities/choose_org.html", orgs=manageable_organizations(current_user)
        )
    form = ActivityForm()
    form.compound_id.choices = compound_choices(_("(not in a compound)"))
    form.room_id.choices = room_choices(
        current_user, _("(not in a centre room)"), community_id=org.community_id
    )
    roster = _roster(org)
    refused: dict[int, str] = {}
    if request.method == "GET":
        form.submission_key.data = uuid.uuid4().hex
        form.held_on.data = local_today()
        form.compound_id.data = org.compound_id
    if form.validate_on_submit():
        try:
            checked = _uploads()
            entry = form_input(
                ActivityLog,
                organization_id=org.id,
                volunteer_hours=_volunteer_hours(roster),
                submission_key=form.submission_key.data or None,
                **_values(form),
            )
            activity = services.log_activity(org, entry, actor=current_user)
            if not getattr(activity, "duplicate_submission", False):
                services.check_room_for_photos(activity, len(checked))
                for processed, name in checked:
                    services.attach_photo(activity, processed, name, actor=current_user)
        except DomainError as exc:
            roll_back(exc)
            form.show_domain_error(exc)
            refused = _refused_volunteer(exc)
        else:
            flash(
                _("Activity logged; it waits for your social worker's review."),
                "success",
            )
            return redirect(
                url_for("activities.detail", activity_id=activity.id, saved=1)
            )
    return render_template(
        "activities/form.html",
        form=form,
        org=org,
        roster=roster,
        apart=telling_apart(roster),
        refused=refused,
        activity=None,
        picked=_picked_from_form(),
    )


@bp.route("/<int:activity_id>")
@roles_required()
def detail(activity_id: int):
    activity = _visible_activity(activity_id)
    view = activity_view(current_user, activity)
    return render_template(
        "activities/detail.html",
        activity=view,
        apart=_namesakes(view.volunteer_hours),
        history=activity_history(activity),
        ledger=activity_ledger(activity),
        review_form=ReviewForm(),
        action_form=EmptyForm(),
        saved=request.args.get("saved") == "1",
        record_panels=signals.record_panels_for(activity, viewer=current_user),
    )


def _namesakes(served) -> dict[int, str]:
    """What tells apart the volunteers of one name who served (compound, phone
    tail), in one query; nothing for a caller who sees no resident (``None``)."""
    ids = [h.volunteer_id for h in served or ()]
    names = [h.name for h in served or ()]
    if len(set(names)) == len(names):
        return {}
    volunteers = db.session.scalars(
        select(Volunteer)
        .options(joinedload(Volunteer.compound))
        .where(Volunteer.id.in_(ids))
    )
    return telling_apart(volunteers)


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*LOGGERS)
def edit(activity_id: int):
    activity = _visible_activity(activity_id)
    org = activity.organization
    if org.id not in {o.id for o in manageable_organizations(current_user)}:
        abort(403)
    form = ActivityForm(obj=activity if request.method == "GET" else None)
    form.compound_id.choices = compound_choices(_("(not in a compound)"))
    form.room_id.choices = room_choices(
        current_user,
        _("(not in a centre room)"),
        community_id=activity.community_id,
        keep=activity.room_id,
    )
    roster = _roster(org)
    refused: dict[int, str] = {}
    if request.method == "GET":
        start = activity.starts_at.astimezone(local_zone())
        form.held_on.data = start.date()
        form.start_time.data = start.time()
        form.end_time.data = activity.ends_at.astimezone(local_zone()).time()
        form.overnight.data = services.runs_overnight(
            activity.starts_at, activity.ends_at
        )
    if form.validate_on_submit():
        try:
            checked = _uploads()
            values = _values(form)
            overnight = values.pop("overnight")
            change = form_input(
                ActivityChange,
                # A form without its version (tampered) matches no version: stale.
                version=form.version.data if form.version.data is not None else 0,
                volunteer_hours=_volunteer_hours(roster),
                **values,
            )
            services.update_activity(
                activity, change, actor=current_user, overnight=overnight
            )
            services.check_room_for_photos(activity, len(checked))
            for processed, name in checked:
                services.attach_photo(activity, processed, name, actor=current_user)
        except StaleRecord as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        except DomainError as exc:
            roll_back(exc)
            form.show_domain_error(exc)
            refused = _refused_volunteer(exc)
        else:
            flash(_("Saved; the log waits for review again."), "success")
            return redirect(
                url_for("activities.detail", activity_id=activity.id, saved=1)
            )
    picked = (
        {h.volunteer_id: str(h.hours) for h in activity.volunteers}
        if request.method == "GET"
        else _picked_from_form()
    )
    return render_template(
        "activities/form.html",
        form=form,
        org=org,
        roster=roster,
        apart=telling_apart(roster),
        refused=refused,
        activity=activity,
        picked=picked,
    )


def _review_input(decision: str | None, reason: str) -> ActivityReview:
    """The review as typed on the page. A decision that is neither button goes to
    the review service unvalidated, which checks who may review first and then
    refuses it in its own words, as it did before the input model."""
    if decision not in ("approve", "return"):
        return ActivityReview.model_construct(decision=decision or "", reason=reason)
    return form_input(ActivityReview, decision=decision, reason=reason)


@bp.route("/<int:activity_id>/review", methods=["POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER)
def review(activity_id: int):
    activity = _visible_activity(activity_id)
    form = ReviewForm()
    decision = request.form.get("decision")
    if form.validate_on_submit():
        message = (
            _("Approved; the volunteers' hours are recorded.")
            if decision == "approve"
            else _("Returned to the organization.")
        )
        run_and_flash(
            lambda: services.review_activity(
                activity,
                _review_input(decision, form.reason.data or ""),
                actor=current_user,
            ),
            success=message,
        )
    return redirect(url_for("activities.detail", activity_id=activity.id))


@bp.route("/<int:activity_id>/photos", methods=["POST"])
@roles_required(*LOGGERS)
def add_photos(activity_id: int):
    activity = _visible_activity(activity_id)
    if EmptyForm().validate_on_submit():
        try:
            checked = _uploads()
            services.check_room_for_photos(activity, len(checked))
            for processed, name in checked:
                services.attach_photo(activity, processed, name, actor=current_user)
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
        else:
            flash(_("Photos added."), "success")
    return redirect(url_for("activities.detail", activity_id=activity.id))


def _visible_photo(photo_id: int) -> ActivityPhoto:
    photo = db.session.get(ActivityPhoto, photo_id)
    if photo is None:
        abort(404)
    org = db.session.get_one(Organization, photo.activity.organization_id)
    if not can_see_organization(current_user, org):
        abort(404)
    return photo


@bp.route("/photos/<int:photo_id>")
@roles_required()
def photo(photo_id: int):
    found = _visible_photo(photo_id)
    name = (
        found.stored_name
        if request.args.get("size") != "thumb"
        else (f"thumb-{found.stored_name}")
    )
    try:
        return storage.send("photos", name, mimetype="image/jpeg")
    except storage.StoredFileMissing:
        abort(404)


@bp.route("/photos/<int:photo_id>/view")
@roles_required()
def photo_page(photo_id: int):
    """One photo on a page of its own: the way back to the activity, and the
    previous and next photos (a tap on a thumbnail never leaves a bare image)."""
    found = _visible_photo(photo_id)
    photos = list(found.activity.photos)
    at = next(i for i, p in enumerate(photos) if p.id == found.id)
    return render_template(
        "activities/photo.html",
        photo=found,
        activity=found.activity,
        at=at,
        total=len(photos),
        previous=photos[at - 1] if at > 0 else None,
        following=photos[at + 1] if at + 1 < len(photos) else None,
    )


@bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@roles_required(*LOGGERS)
def delete_photo(photo_id: int):
    found = _visible_photo(photo_id)
    activity_id = found.activity_id
    if EmptyForm().validate_on_submit():
        stored = found.stored_name
        if run_and_flash(
            services.delete_photo,
            found,
            actor=current_user,
            success=_("Photo removed."),
        ):
            # only once the deletion is committed: a failed commit keeps them
            after_commit(lambda: photo_files.remove_stored("photos", stored))
    return redirect(url_for("activities.detail", activity_id=activity_id))
