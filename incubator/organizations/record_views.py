"""One organization's pages: its profile, editing, stage changes, assessments,
case notes, archive and timeline."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from incubator.auth.permissions import roles_required
from incubator.auth.roles import STAFF_ROLES, Role
from incubator.errors import DomainError, StaleRecord
from incubator.extensions import db
from incubator.forms import EmptyForm, form_input
from incubator.i18n import local_date, local_today
from incubator.organizations import records, services
from incubator.organizations import stages as stage_rules
from incubator.organizations.access import get_visible_organization_or_404
from incubator.organizations.forms import (
    CaseNoteForm,
    OrganizationForm,
    OrganizationLeaderForm,
    StageChangeForm,
    assessment_form_class,
)
from incubator.organizations.incubation import dimensions, stage_label, stages
from incubator.organizations.models import (
    Assessment,
    CaseNote,
    Organization,
    StageChange,
)
from incubator.organizations.panels import panels_for
from incubator.organizations.queries import OrganizationView
from incubator.organizations.schemas import OrganizationChange
from incubator.organizations.timeline import FIELD_LABELS, timeline_for
from incubator.organizations.views import READERS, STAFF, _fill_choices, _values, bp
from incubator.paging import requested_page
from incubator.periods import months_between
from incubator.transaction import run_and_flash
from incubator.workflow import STAGE

RADAR_ASSESSMENTS = 3


def _org_or_404(org_id: int) -> Organization:
    return get_visible_organization_or_404(current_user, org_id)


def _stage_form(org: Organization) -> StageChangeForm:
    """The stages the workflow lets the user move ``org`` to (the rules that need
    the records, such as assessments, are checked on submit)."""
    form = StageChangeForm()
    line = stages()
    allowed = set(STAGE.targets(org.stage, [s.key for s in line], current_user.role))
    form.to.choices = [SelectChoice(s.key, s.label) for s in line if s.key in allowed]
    if request.method == "GET":
        form.to.data = stage_rules.proposed_stage(org, line, allowed)
    form.to.description = _("Now: %(stage)s", stage=stage_label(org.stage))
    return form


def _radar(assessments: Sequence[Assessment]) -> dict:
    dims = dimensions()
    return {
        "indicators": [{"name": d.label, "max": 5} for d in dims],
        "series": [
            {
                "name": a.assessed_on.isoformat(),
                "value": [a.score_map().get(d.key, 0) for d in dims],
            }
            for a in reversed(assessments)
        ],
    }


@bp.route("/<int:org_id>")
@roles_required()
def detail(org_id: int):
    org = db.session.scalar(
        select(Organization)
        .where(Organization.id == org_id)
        .options(
            joinedload(Organization.compound),
            joinedload(Organization.social_worker),
            joinedload(Organization.leader),
        )
    )
    if org is None:
        abort(404)
    _org_or_404(org.id)
    history = db.session.scalars(
        select(StageChange)
        .where(StageChange.organization_id == org.id)
        .options(selectinload(StageChange.actor))
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
    ).all()
    recent = db.session.scalars(
        select(Assessment)
        .where(Assessment.organization_id == org.id)
        .options(selectinload(Assessment.scores), selectinload(Assessment.assessor))
        .order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())
        .limit(RADAR_ASSESSMENTS)
    ).all()
    staff = current_user.role in STAFF_ROLES
    notes: Sequence[CaseNote] = []
    if staff:
        notes = db.session.scalars(
            select(CaseNote)
            .where(CaseNote.organization_id == org.id)
            .options(selectinload(CaseNote.author))
            .order_by(CaseNote.noted_on.desc(), CaseNote.id.desc())
            .limit(20)
        ).all()
    latest = recent[0] if recent else None
    return render_template(
        "organizations/detail.html",
        # The header's compound and stage label as the API resource has them.
        org=OrganizationView(org),
        history=history,
        latest=latest,
        weakest=records.weakest_dimensions(latest),
        radar=_radar(recent),
        notes=notes,
        staff=staff,
        stage_form=_stage_form(org) if staff else None,
        note_form=_note_form() if staff else None,
        action_form=EmptyForm(),
        panels=panels_for(org, current_user),
        months_in_stage=months_between(local_date(org.stage_since), local_today()),
    )


def _note_form() -> CaseNoteForm:
    form = CaseNoteForm()
    if request.method == "GET":
        form.noted_on.data = local_today()
    return form


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
def edit(org_id: int):
    org = _org_or_404(org_id)
    leader = current_user.role == Role.ORG_LEADER
    form_class = OrganizationLeaderForm if leader else OrganizationForm
    form = form_class(obj=org if request.method == "GET" else None)
    if not leader:
        _fill_choices(form)
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_organization(
                org,
                form_input(
                    OrganizationChange,
                    # No version (a tampered form) matches none: versions start at 1.
                    version=form.version.data or 0,
                    **_values(form),
                ),
                actor=current_user,
            )
        except StaleRecord as exc:
            db.session.rollback()
            conflict = _conflict_rows(form, exc.details.get("current", {}))
            form.version.data = exc.details.get("version")
            form.form_errors.append(exc.message)
        except DomainError as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("organizations.detail", org_id=org.id))
    return render_template(
        "organizations/form.html", form=form, org=org, conflict=conflict, leader=leader
    )


def _conflict_rows(form, current: dict) -> list[tuple[str, object, object]]:
    """(field label, the value you entered, the value saved meanwhile) for every
    field where they differ; choices are shown by their labels."""
    rows = []
    for name, saved in current.items():
        if name not in form._fields:
            continue
        field = form[name]
        mine = field.data
        if (mine or None) == (saved or None):
            continue
        choices = getattr(field, "choices", None)
        if choices:
            labels = {str(c.value): str(c.label) for c in choices}
            mine = labels.get(str(mine), mine)
            saved = labels.get(str(saved), saved)
        rows.append((str(FIELD_LABELS.get(name, field.label.text)), mine, saved))
    if not rows and "stage" in current:
        # Only the stage or the archive state moved the version.
        rows.append((_("Stage"), "", stage_label(current["stage"])))
    return rows


@bp.route("/<int:org_id>/stage", methods=["POST"])
@roles_required(*STAFF)
def change_stage(org_id: int):
    org = _org_or_404(org_id)
    form = _stage_form(org)
    if form.validate_on_submit():
        effects: list[str] = []
        changed = run_and_flash(
            stage_rules.change_stage,
            org,
            form.to.data,
            actor=current_user,
            reason=form.reason.data,
            effects=effects,
            success=_("Stage changed to %(stage)s.", stage=stage_label(form.to.data)),
        )
        for effect in effects if changed else ():
            flash(effect, "info")
    else:
        flash(_("Please choose a stage."), "danger")
    return redirect(url_for("organizations.detail", org_id=org.id, _anchor="stages"))


@bp.route("/<int:org_id>/assessments/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_assessment(org_id: int):
    org = _org_or_404(org_id)
    dims = dimensions()
    form = assessment_form_class(dims)()
    if request.method == "GET":
        form.assessed_on.data = local_today()
    if form.validate_on_submit():
        try:
            records.record_assessment(
                org,
                actor=current_user,
                assessed_on=form.assessed_on.data,
                scores={d.key: int(form[f"score_{d.key}"].data) for d in dims},
                score_notes={d.key: form[f"note_{d.key}"].data for d in dims},
                notes=form.notes.data,
            )
        except DomainError as exc:
            db.session.rollback()
            field = (exc.field or "").replace("scores.", "score_")
            form.show_domain_error(type(exc)(exc.message, field=field))
        else:
            flash(_("Assessment saved."), "success")
            return redirect(url_for("organizations.detail", org_id=org.id))
    return render_template(
        "organizations/assessment_form.html", form=form, org=org, dims=dims
    )


@bp.route("/<int:org_id>/assessments/<int:assessment_id>")
@roles_required()
def assessment(org_id: int, assessment_id: int):
    org = _org_or_404(org_id)
    found = db.session.scalar(
        select(Assessment)
        .where(Assessment.id == assessment_id, Assessment.organization_id == org.id)
        .options(selectinload(Assessment.scores), selectinload(Assessment.assessor))
    )
    if found is None:
        abort(404)
    return render_template("organizations/assessment.html", org=org, assessment=found)


@bp.route("/<int:org_id>/notes", methods=["POST"])
@roles_required(*STAFF)
def add_note(org_id: int):
    org = _org_or_404(org_id)
    form = CaseNoteForm()
    if form.validate_on_submit():
        run_and_flash(
            records.add_case_note,
            org,
            actor=current_user,
            noted_on=form.noted_on.data,
            body=form.body.data,
            contact_kind=form.contact_kind.data,
            success=_("Case note saved."),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
    return redirect(url_for("organizations.detail", org_id=org.id, _anchor="notes"))


@bp.route("/<int:org_id>/archive", methods=["POST"])
@roles_required(*STAFF)
def archive(org_id: int):
    org = _org_or_404(org_id)
    if EmptyForm().validate_on_submit():
        if org.archived:
            services.restore_organization(org, actor=current_user)
            flash(_("%(name)s is back in the lists.", name=org.name), "success")
        else:
            services.archive_organization(org, actor=current_user)
            flash(
                _("%(name)s is archived; its history is kept.", name=org.name),
                "success",
            )
    return redirect(url_for("organizations.detail", org_id=org.id))


@bp.route("/<int:org_id>/timeline")
@roles_required(*READERS)
def timeline(org_id: int):
    org = _org_or_404(org_id)
    page = requested_page()
    events, more = timeline_for(org, current_user, page=page, per_page=50)
    return render_template(
        "organizations/timeline.html", org=org, events=events, page=page, more=more
    )
