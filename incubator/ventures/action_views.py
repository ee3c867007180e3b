"""The buttons of a venture's page (reviewers, scoring, life-cycle steps, the
mid-term check, plan actions, expenditures and their receipts) and the admin's
catalogue of support actions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from incubator import storage
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.forms import EmptyForm, form_input
from incubator.organizations.incubation import dimensions, stage_label, stages
from incubator.security import int_field
from incubator.transaction import flash_form_errors, run_and_flash, submit_form
from incubator.ventures import plans, reviews, services, spending
from incubator.ventures.access import get_visible_venture_or_404
from incubator.ventures.forms import (
    ActionDoneForm,
    ExpenditureForm,
    MidtermForm,
    PlanActionForm,
    PlanTemplateForm,
    ReviewersForm,
    ScoreForm,
    TransitionForm,
)
from incubator.ventures.models import (
    STATE_LABELS,
    Expenditure,
    PlanAction,
    PlanTemplate,
)
from incubator.ventures.schemas import MidtermCheck, PlanActionChange, PlanActionEntry
from incubator.ventures.views import APPLICANTS, STAFF, bp


def _back(venture_id: int, anchor: str | None = None):
    return redirect(url_for("ventures.detail", venture_id=venture_id, _anchor=anchor))


@bp.route("/<int:venture_id>/reviewers", methods=["POST"])
@roles_required(Role.ADMIN)
def set_reviewers(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    form = ReviewersForm()
    form.reviewer_ids.choices = None  # any id; the service checks who may review
    form.reviewer_ids.pre_validate = lambda _form: None
    if form.validate_on_submit():
        run_and_flash(
            services.set_reviewers,
            venture,
            form.reviewer_ids.data or [],
            actor=current_user,
            success=_("Review panel saved."),
        )
    else:
        flash_form_errors(form)
    return _back(venture_id, "reviews")


@bp.route("/<int:venture_id>/review", methods=["POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)
def submit_review(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    form = ScoreForm()
    if form.validate_on_submit():
        scores = {
            c.id: request.form.get(f"score-{c.id}", "").strip()
            for c in venture.round.criteria
        }
        run_and_flash(
            reviews.submit_review,
            venture,
            actor=current_user,
            scores=scores,
            comment=form.comment.data,
            success=_("Review submitted; the other reviews are now shown."),
        )
    else:
        flash_form_errors(form)
    return _back(venture_id, "reviews")


@bp.route("/<int:venture_id>/transition", methods=["POST"])
@roles_required(*STAFF)
def transition(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    form = TransitionForm()
    if form.validate_on_submit():
        to = form.to.data
        label = STATE_LABELS.get(to, to)
        run_and_flash(
            services.transition,
            venture,
            to,
            actor=current_user,
            expected_version=int_field(form.version.data),
            note=form.note.data,
            approved_amount=form.approved_amount.data,
            outputs_achieved=form.outputs_achieved.data,
            closing_grade=form.closing_grade.data or None,
            lessons=form.lessons.data,
            success=_("The venture is now: %(state)s.", state=label),
        )
    else:
        flash_form_errors(form)
    return _back(venture_id)


@bp.route("/<int:venture_id>/midterm", methods=["POST"])
@roles_required(*STAFF)
def midterm(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    form = MidtermForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: services.record_midterm(
                venture,
                form_input(
                    MidtermCheck, checked_on=form.checked_on.data, note=form.note.data
                ),
                actor=current_user,
            ),
            success=_("Mid-term check recorded."),
        )
    else:
        flash_form_errors(form)
    return _back(venture_id)


@bp.route("/<int:venture_id>/actions", methods=["POST"])
@roles_required(*STAFF)
def add_action(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    form = PlanActionForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: plans.add_action(
                venture,
                form_input(
                    PlanActionEntry,
                    goal=form.goal.data,
                    action=form.action.data,
                    owner=form.owner.data or "",
                    due_on=form.due_on.data,
                ),
                actor=current_user,
            ),
            success=_("Action added to the plan."),
        )
    else:
        flash_form_errors(form)
    return _back(venture_id, "plan")


def _action_or_404(action_id: int) -> PlanAction:
    action = db.session.get(PlanAction, action_id)
    if action is None:
        abort(404)
    get_visible_venture_or_404(current_user, action.venture_id)
    return action


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_action(action_id: int):
    action = _action_or_404(action_id)
    form = PlanActionForm(obj=action if request.method == "GET" else None)
    if form.validate_on_submit():
        saved, _action = submit_form(
            form,
            lambda: plans.update_action(
                action,
                form_input(
                    PlanActionChange,
                    # No version (a tampered form) matches none: versions start at 1.
                    version=int_field(form.version.data) or 0,
                    goal=form.goal.data,
                    action=form.action.data,
                    owner=form.owner.data or "",
                    due_on=form.due_on.data,
                ),
                actor=current_user,
            ),
        )
        if saved:
            flash(_("Saved."), "success")
            return _back(action.venture_id, "plan")
    return render_template("ventures/action_form.html", form=form, action=action)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@roles_required(*STAFF)
def complete_action(action_id: int):
    action = _action_or_404(action_id)
    form = ActionDoneForm()
    if form.validate_on_submit():
        run_and_flash(
            plans.complete_action,
            action,
            actor=current_user,
            note=form.done_note.data,
            success=_("Marked done."),
        )
    else:
        flash_form_errors(form)
    return _back(action.venture_id, "plan")


@bp.route("/actions/<int:action_id>/remove", methods=["POST"])
@roles_required(*STAFF)
def remove_action(action_id: int):
    action = _action_or_404(action_id)
    if EmptyForm().validate_on_submit():
        run_and_flash(
            plans.remove_action,
            action,
            actor=current_user,
            success=_("Removed from the plan."),
        )
    return _back(action.venture_id, "plan")


@bp.route("/<int:venture_id>/expenditures", methods=["POST"])
@roles_required(*APPLICANTS)
def add_expenditure(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    form = ExpenditureForm()
    if form.validate_on_submit():
        upload = request.files.get("receipt")
        receipt = (
            (upload.read(), upload.filename) if upload and upload.filename else None
        )
        run_and_flash(
            spending.record_expenditure,
            venture,
            actor=current_user,
            spent_on=form.spent_on.data,
            amount=form.amount.data,
            purpose=form.purpose.data,
            receipt=receipt,
            success=_("Expenditure recorded."),
        )
    else:
        flash_form_errors(form)
    return _back(venture_id, "spending")


@bp.route("/receipts/<int:expenditure_id>")
@roles_required(*APPLICANTS)  # receipts may show names: not for viewers
def receipt(expenditure_id: int):
    line = db.session.get(Expenditure, expenditure_id)
    if line is None or not line.receipt_name:
        abort(404)
    get_visible_venture_or_404(current_user, line.venture_id)
    name = line.receipt_name
    if request.args.get("size") == "thumb":
        name = f"thumb-{name}"
    try:
        return storage.send(spending.RECEIPTS, name, mimetype="image/jpeg")
    except storage.StoredFileMissing:
        abort(404)


# ---- the catalogue (admins) ----


@bp.route("/catalogue")
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER)
def catalogue():
    entries = plans.catalogue(include_inactive=True)
    active_ids = set(
        db.session.scalars(select(PlanTemplate.id).where(PlanTemplate.active))
    )
    return render_template(
        "ventures/catalogue.html",
        entries=entries,
        active_ids=active_ids,
        saved=plans.catalogue_saved(),
        dimension_labels={d.key: d.label for d in dimensions()},
        stage_label=stage_label,
    )


def _template_form(template: PlanTemplate | None) -> PlanTemplateForm:
    form = PlanTemplateForm(obj=template if request.method == "GET" else None)
    form.dimension.choices = [SelectChoice(d.key, d.label) for d in dimensions()]
    form.stage.choices = [SelectChoice("", _("Any stage"))] + [
        SelectChoice(s.key, s.label) for s in stages() if s.on_line
    ]
    return form


@bp.route("/catalogue/new", methods=["GET", "POST"])
@bp.route("/catalogue/<int:template_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_template(template_id: int | None = None):
    template = None
    if template_id is not None:
        template = db.session.get(PlanTemplate, template_id)
        if template is None:
            abort(404)
    form = _template_form(template)
    if form.validate_on_submit():
        saved, _template = submit_form(
            form,
            lambda: plans.save_template(
                actor=current_user,
                template=template,
                expected_version=int_field(form.version.data) if template else None,
                dimension=form.dimension.data,
                stage=form.stage.data,
                goal=form.goal.data,
                action=form.action.data,
                due_days=form.due_days.data,
                active=form.active.data,
            ),
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("ventures.catalogue"))
    return render_template("ventures/template_form.html", form=form, template=template)


@bp.route("/catalogue/customize", methods=["POST"])
@roles_required(Role.ADMIN)
def customize_catalogue():
    """Copy the defaults into the editable catalogue."""
    if EmptyForm().validate_on_submit():
        run_and_flash(
            plans.customize_catalogue,
            actor=current_user,
            success=_("The catalogue is now editable."),
        )
    return redirect(url_for("ventures.catalogue"))
