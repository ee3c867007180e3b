"""Capacity-building session pages: the list, scheduling (with recurrence and the
organizations the session suits), a session's page with registration and
attendance, changing or cancelling one occurrence or the rest of its series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from incubator import signals
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.community.queries import room_choices
from incubator.community.scope import scope_communities
from incubator.database import utcnow
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.forms import form_input
from incubator.i18n import local_today, local_zone
from incubator.normalize import parse_whole
from incubator.organizations.access import org_scope
from incubator.organizations.incubation import dimensions
from incubator.organizations.models import Organization
from incubator.paging import paginate
from incubator.security import id_arg, int_field
from incubator.sessions import services
from incubator.sessions.forms import (
    AttendanceForm,
    CancelForm,
    RegisterForm,
    SessionForm,
)
from incubator.sessions.holidays import day_warning
from incubator.sessions.models import (
    SessionAttendee,
    SessionInvite,
    TrainingSession,
)
from incubator.sessions.queries import may_see, session_view, sessions_query
from incubator.sessions.schemas import (
    MAX_CAPACITY,
    Attendance,
    Registration,
    SessionCancellation,
    SessionChange,
    SessionSchedule,
    recurrence_of,
)
from incubator.sessions.suggest import suggested_organizations
from incubator.transaction import flash_form_errors, run_and_flash, submit_form
from incubator.volunteers.models import Membership, Volunteer

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

PER_PAGE = 20
PEOPLE = _l("A whole number of people.")
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)


def _visible(session_id: int) -> TrainingSession:
    session = db.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .options(
            selectinload(TrainingSession.invites).joinedload(
                SessionInvite.organization
            ),
            joinedload(TrainingSession.organizer),
        )
    )
    if session is None or not may_see(current_user, session):
        abort(404)
    return session


@bp.route("")
@roles_required()
def index():
    past = request.args.get("past") == "1"
    now = utcnow()
    query = sessions_query(
        current_user,
        start=None if past else now - timedelta(hours=12),
        end=now if past else None,
    )
    if past:
        query = query.order_by(None).order_by(TrainingSession.starts_at.desc())
    page = paginate(query, PER_PAGE)
    return render_template(
        "sessions/index.html",
        page=page,
        past=past,
        dimension_labels={d.key: d.label for d in dimensions()},
    )


def _form_choices(form: SessionForm) -> Sequence[Organization]:
    form.dimension.choices = [SelectChoice("", _("(none)"))] + [
        SelectChoice(d.key, d.label) for d in dimensions()
    ]
    orgs = db.session.scalars(
        select(Organization)
        .where(Organization.archived_at.is_(None), org_scope(current_user))
        .order_by(Organization.name)
    ).all()
    form.organization_ids.choices = [SelectChoice(o.id, o.name) for o in orgs]
    form.room_id.choices = room_choices(
        current_user, _("(not in a centre room)"), keep=form.room_id.data
    )
    communities = scope_communities(current_user)
    form.community_id.choices = (
        [SelectChoice(str(c.id), c.name) for c in communities]
        if len(communities) > 1
        else []
    )
    return orgs


def _moments(form: SessionForm) -> tuple[datetime, datetime]:
    zone = local_zone()
    starts = datetime.combine(form.day.data, form.start_time.data, tzinfo=zone)
    ends = datetime.combine(form.day.data, form.end_time.data, tzinfo=zone)
    return starts, ends


def _values(form: SessionForm) -> dict:
    starts, ends = _moments(form)
    return {
        "title": form.title.data or "",
        "topic": form.topic.data or "",
        "dimension": form.dimension.data or "",
        "trainer": form.trainer.data or "",
        "place": form.place.data or "",
        "room_id": form.room_id.data,
        "capacity": form.capacity.data,
        "starts_at": starts,
        "ends_at": ends,
        "organization_ids": form.organization_ids.data or [],
    }


def _schedule(form: SessionForm) -> SessionSchedule:
    # The recurrence is read first, in the words the page has always used.
    recurrence = recurrence_of(form.freq.data, form.count.data)
    community_id = id_arg(form.community_id.data) if form.community_id.choices else None
    return form_input(
        SessionSchedule,
        recurrence=recurrence,
        community_id=community_id,
        **_values(form),
    )


def _flash_day_warnings(sessions: list[TrainingSession]) -> None:
    for session in sessions:
        warning = day_warning(services.session_day(session))
        if warning:
            flash(warning, "warning")


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    form = SessionForm()
    _form_choices(form)
    if request.method == "GET":
        form.day.data = local_today() + timedelta(days=7)
        form.capacity.data = 30
        form.dimension.data = request.args.get("dimension", "")
    suggested = suggested_organizations(form.dimension.data or "")
    if request.method == "GET" and suggested:
        form.organization_ids.data = [o.id for o in suggested]
    if form.validate_on_submit():
        saved, created = submit_form(
            form,
            lambda: services.schedule_session(_schedule(form), actor=current_user),
        )
        if saved and created is not None:
            flash(
                _("%(n)d sessions scheduled.", n=len(created))
                if len(created) > 1
                else _("Session scheduled."),
                "success",
            )
            _flash_day_warnings(created)
            return redirect(url_for("sessions.detail", session_id=created[0].id))
    return render_template(
        "sessions/form.html",
        form=form,
        session=None,
        suggested={o.id for o in suggested},
        day_warning=day_warning(form.day.data) if form.day.data else None,
    )


@bp.route("/<int:session_id>")
@roles_required()
def detail(session_id: int):
    session = _visible(session_id)
    series: Sequence[TrainingSession] = []
    if session.series_id:
        series = db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.series_id == session.series_id)
            .order_by(TrainingSession.sequence)
        ).all()
    own_orgs = [
        i.organization
        for i in session.invites
        if i.organization.leader_user_id == current_user.id
    ]
    staff = current_user.role in STAFF
    # What the API resource shows too: an org leader sees their own
    # organizations' numbers, not the others'; the day's warning.
    view = session_view(current_user, session)
    rosters: dict[int, list[tuple[int, str]]] = {}
    named: set[tuple[int, int]] = set()
    if staff:
        rows = db.session.execute(
            select(Membership.organization_id, Volunteer.id, Volunteer.name)
            .join(Volunteer, Volunteer.id == Membership.volunteer_id)
            .where(
                Membership.organization_id.in_(
                    [i.organization_id for i in session.invites] or [0]
                ),
                Membership.left_on.is_(None),
                Volunteer.anonymized_at.is_(None),
            )
            .order_by(Volunteer.name)
        ).all()
        for org_id, vid, name in rows:
            rosters.setdefault(org_id, []).append((vid, name))
        named = {
            (org_id, vid)
            for org_id, vid in db.session.execute(
                select(
                    SessionAttendee.organization_id, SessionAttendee.volunteer_id
                ).where(SessionAttendee.session_id == session.id)
            )
        }
    return render_template(
        "sessions/detail.html",
        session=session,
        invites=view.invites,
        series=series,
        own_orgs=own_orgs,
        staff=staff,
        rosters=rosters,
        named=named,
        begun=session.starts_at <= utcnow(),
        day_warning=view.day_warning,  # staff only (session_view)
        dimension_labels={d.key: d.label for d in dimensions()},
        register_form=RegisterForm(),
        attendance_form=AttendanceForm(
            walk_ins=session.walk_ins,
            feedback_score=str(session.feedback_score or ""),
        ),
        cancel_form=CancelForm(),
        record_panels=signals.record_panels_for(session, viewer=current_user),
    )


def _version(value) -> int:
    version = int_field(value)
    return version if version is not None else 0


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(session_id: int):
    session = _visible(session_id)
    form = SessionForm(obj=session if request.method == "GET" else None)
    _form_choices(form)
    if request.method == "GET":
        start = session.starts_at.astimezone(local_zone())
        form.day.data = start.date()
        form.start_time.data = start.time()
        form.end_time.data = session.ends_at.astimezone(local_zone()).time()
        form.organization_ids.data = [i.organization_id for i in session.invites]
        form.version.data = session.version
    if form.validate_on_submit():
        saved, changed = submit_form(
            form,
            lambda: services.update_session(
                session,
                form_input(
                    SessionChange,
                    # A form without its version (tampered) matches none: stale.
                    version=_version(form.version.data),
                    scope=form.scope.data or "this",
                    **_values(form),
                ),
                actor=current_user,
            ),
        )
        if saved and changed is not None:
            flash(_("%(n)d sessions changed.", n=len(changed)), "success")
            _flash_day_warnings(changed)
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template(
        "sessions/form.html",
        form=form,
        session=session,
        suggested=set(),
        day_warning=day_warning(form.day.data) if form.day.data else None,
    )


@bp.route("/<int:session_id>/cancel", methods=["POST"])
@roles_required(*STAFF)
def cancel(session_id: int):
    session = _visible(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: services.cancel_session(
                session,
                form_input(
                    SessionCancellation,
                    reason=form.reason.data or "",
                    scope=form.scope.data or "this",
                ),
                actor=current_user,
            ),
            success=_("Cancelled."),
        )
    else:
        flash(_("Say why it is cancelled."), "danger")
    return redirect(url_for("sessions.detail", session_id=session.id))


@bp.route("/<int:session_id>/register", methods=["POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
def register(session_id: int):
    session = _visible(session_id)
    form = RegisterForm()
    org_id = id_arg(form.organization_id.data)
    if form.validate_on_submit() and org_id:
        org = db.session.get(Organization, org_id)
        if org is None:
            abort(404)
        run_and_flash(
            lambda: services.register(
                session,
                org,
                form_input(Registration, organization_id=org.id, count=form.count.data),
                actor=current_user,
            ),
            success=_("Registration saved."),
        )
    else:
        flash(_("A whole number of people."), "danger")
    return redirect(url_for("sessions.detail", session_id=session.id))


@bp.route("/<int:session_id>/attendance", methods=["POST"])
@roles_required(*STAFF)
def attendance(session_id: int):
    session = _visible(session_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("sessions.detail", session_id=session.id))
    sheet: dict[int, int | list[int]] = {}
    for invite in session.invites:
        org_id = invite.organization_id
        names = [i for i in map(id_arg, request.form.getlist(f"named-{org_id}")) if i]
        try:
            # Read as every count is (full-width digits fine; other scripts'
            # digits, exponents and text refused, never dropped without a word).
            count = parse_whole(request.form.get(f"attendees-{org_id}"), "attendees")
        except ValidationFailed as exc:
            flash(f"{invite.organization.name}: {exc.message}", "danger")
            return redirect(url_for("sessions.detail", session_id=session.id))
        if names or count is not None:
            sheet[org_id] = names or count

    def entries() -> list[Attendance]:
        # A headcount out of range is refused in the words the page has always
        # used (the model's own limit would say "at most 1000").
        result = []
        for org_id, entry in sheet.items():
            if isinstance(entry, list):
                values: dict = {"volunteer_ids": entry}
            elif not 0 <= entry <= MAX_CAPACITY:
                raise ValidationFailed(
                    _l("A whole number of people."), field="attendees"
                )
            else:
                values = {"attendees": entry}
            result.append(form_input(Attendance, organization_id=org_id, **values))
        return result

    run_and_flash(
        lambda: services.record_attendance_sheet(
            session,
            entries(),
            form_input(
                Attendance,
                walk_ins=form.walk_ins.data,
                feedback_score=form.feedback_score.data,
                override=form.override.data,
            ),
            actor=current_user,
        ),
        success=_("Attendance recorded; the session counts as held."),
    )
    return redirect(url_for("sessions.detail", session_id=session.id))
