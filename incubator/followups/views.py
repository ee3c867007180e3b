"""Follow-up pages: the list with its filters, scheduling one, completing one (which
schedules the next by the stage cadence), my work (我的待办) and the cadence
settings."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.auth.views import safe_next
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.followups import services
from incubator.followups.forms import CompleteForm, FollowUpForm
from incubator.followups.models import KIND_LABELS, FollowUp, FollowUpState
from incubator.followups.queries import followups_query, my_work
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.forms import EmptyForm, form_input
from incubator.i18n import local_today
from incubator.normalize import parse_whole
from incubator.organizations.access import can_see_organization, org_scope
from incubator.organizations.incubation import stages
from incubator.organizations.models import Organization
from incubator.organizations.views import user_choices
from incubator.paging import paginate
from incubator.security import id_arg, int_field
from incubator.transaction import roll_back, submit_form
from incubator.workflow import FOLLOWUP

bp = Blueprint("followups", __name__, url_prefix="/followups")

STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
PER_PAGE = 30


@bp.route("")
@roles_required(*STAFF)
def index():
    state = request.args.get("state", "open")
    assignee = id_arg(request.args.get("assignee"))
    if (
        assignee is None
        and current_user.role == Role.SOCIAL_WORKER
        and not request.args
    ):
        assignee = current_user.id
    query = followups_query(
        state=state if state in ("open", "done", "overdue", "all") else "open",
        assignee_id=assignee,
        organization_id=id_arg(request.args.get("organization")),
        user=current_user,
    )
    page = paginate(query, PER_PAGE)
    return render_template(
        "followups/index.html",
        page=page,
        state=state,
        assignee=assignee,
        sw_choices=user_choices(STAFF, _("All social workers")),
        today=local_today(),
        complete_form=CompleteForm(),
        # the states whose follow-ups show the "Done" form to this user
        may_complete=FOLLOWUP.sources(FollowUpState.DONE, current_user.role),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    form = FollowUpForm()
    orgs = db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.archived_at.is_(None), org_scope(current_user))
        .order_by(Organization.name)
    ).all()
    form.organization_id.choices = [SelectChoice(str(o.id), o.name) for o in orgs]
    form.assignee_id.choices = user_choices(
        STAFF, _("The organization's social worker")
    )
    if request.method == "GET":
        form.organization_id.data = id_arg(request.args.get("org"))
        form.due_on.data = local_today() + timedelta(days=7)
    if form.validate_on_submit():
        org = db.session.get(Organization, form.organization_id.data or 0)
        if org is None or not can_see_organization(current_user, org):
            abort(404)
        saved, _followup = submit_form(
            form,
            lambda: services.schedule_followup(
                org,
                form_input(
                    FollowUpPlan,
                    organization_id=org.id,
                    kind=form.kind.data,
                    due_on=form.due_on.data,
                    assignee_id=form.assignee_id.data,
                    notes=form.notes.data or "",
                ),
                actor=current_user,
            ),
        )
        if saved:
            flash(_("Follow-up scheduled."), "success")
            return redirect(url_for("followups.index"))
    return render_template("followups/form.html", form=form)


@bp.route("/<int:followup_id>/complete", methods=["POST"])
@roles_required(*STAFF)
def complete(followup_id: int):
    followup = db.session.get(FollowUp, followup_id)
    if followup is None or not can_see_organization(
        current_user, followup.organization
    ):
        abort(404)
    form = CompleteForm()
    if form.validate_on_submit():
        version = form.version.data
        try:
            completion = form_input(
                FollowUpCompletion,
                outcome=form.outcome.data,
                version=int_field(version),
            )
            following = services.complete_followup(
                followup, completion, actor=current_user
            )
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
        else:
            if following is not None:
                flash(
                    _(
                        "Done. The next follow-up is due on %(day)s.",
                        day=following.due_on.isoformat(),
                    ),
                    "success",
                )
            else:
                flash(_("Done."), "success")
    else:
        flash(_("Note the outcome."), "danger")

    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("followups.index"))


@bp.route("/mine")
@roles_required(*STAFF)
def mine():
    work = my_work(current_user)
    return render_template(
        "followups/mine.html",
        work=work,
        today=local_today(),
        complete_form=CompleteForm(),
        # the states whose follow-ups show the "Done" form to this user
        may_complete=FOLLOWUP.sources(FollowUpState.DONE, current_user.role),
        kind_labels=KIND_LABELS,
    )


@bp.route("/cadence", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cadence():
    current = services.cadence()
    line = [s for s in stages() if s.key in current or s.on_line]
    if request.method == "POST":
        if EmptyForm().validate_on_submit():
            values = {}
            for stage in line:
                try:
                    # as every count is read (full-width digits fine); the rest
                    # is refused by the service's own message
                    number = parse_whole(request.form.get(f"cadence-{stage.key}"), "")
                except ValidationFailed:
                    number = -1
                values[stage.key] = number
            try:
                services.save_cadence(values, actor=current_user)
            except DomainError as exc:
                roll_back(exc)
                flash(str(exc.message), "danger")
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("followups.cadence"))
    return render_template("followups/cadence.html", stages=line, cadence=current)
