"""Service project pages: the list, recording a project, a project with its
indicators' progress, and adding, changing or removing an indicator. The URLs sit
under /reports/, where the project lead has always found them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.community.scope import in_scope, may_see_community
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.forms import EmptyForm
from incubator.normalize import parse_day, parse_whole
from incubator.projects import metrics
from incubator.projects import services as project_services
from incubator.projects.models import Indicator, Project
from incubator.projects.services import METRIC_LABELS, METRIC_RULES
from incubator.transaction import roll_back

bp = Blueprint("projects", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


@bp.route("/projects")
@roles_required(*READERS)
def index():
    rows = db.session.scalars(
        select(Project)
        .where(in_scope(Project.community_id, current_user))
        .options(joinedload(Project.community), selectinload(Project.indicators))
        .order_by(Project.starts_on.desc())
    ).all()
    return render_template("projects/index.html", projects=rows, form=EmptyForm())


@bp.route("/projects/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_project():
    values = {}
    if request.method == "POST" and EmptyForm().validate_on_submit():
        values = request.form.to_dict()
        try:
            project = project_services.create_project(
                actor=current_user,
                name=values.get("name", ""),
                community=values.get("community", ""),
                year=parse_whole(values.get("year"), "year") or 0,
                kind=values.get("kind", ""),
                renewal=values.get("renewal") == "1",
                budget=values.get("budget", ""),
                starts_on=_date(values.get("starts_on"), "starts_on"),
                ends_on=_date(values.get("ends_on"), "ends_on"),
                description=values.get("description", ""),
            )
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
        else:
            flash(_("Project recorded."), "success")
            return redirect(url_for("projects.project", project_id=project.id))
    return render_template(
        "projects/project_form.html", values=values, form=EmptyForm()
    )


def _date(text, field):
    """A day typed on the project form, read as every form reads one
    (``incubator.normalize.parse_day``: full-width digits are fine, other
    scripts' digits and a bare number are not), from 2000 to 2100."""
    day = parse_day(text, field)
    if day is None or not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationFailed(_("Please enter a date."), field=field)
    return day


@bp.route("/projects/<int:project_id>")
@roles_required(*READERS)
def project(project_id: int):
    found = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.community), selectinload(Project.indicators))
    )
    if found is None or not may_see_community(current_user, found.community_id):
        abort(404)
    return render_template(
        "projects/project.html",
        project=found,
        progress=project_services.progress(found),
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
        unused=[
            m for m in metrics.METRICS if m not in {i.metric for i in found.indicators}
        ],
        form=EmptyForm(),
    )


@bp.route("/projects/<int:project_id>/indicators", methods=["POST"])
@roles_required(Role.ADMIN)
def add_indicator(project_id: int):
    found = db.session.get(Project, project_id)
    if found is None or not may_see_community(current_user, found.community_id):
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            project_services.add_indicator(
                found,
                actor=current_user,
                metric=request.form.get("metric", ""),
                target=request.form.get("target", "").strip() or "0",
            )
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
        else:
            flash(_("Indicator added."), "success")
    return redirect(url_for("projects.project", project_id=project_id))


@bp.route("/indicators/<int:indicator_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def change_indicator(indicator_id: int):
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None or not may_see_community(
        current_user, indicator.project.community_id
    ):
        abort(404)
    project_id = indicator.project_id
    if EmptyForm().validate_on_submit():
        try:
            if request.form.get("remove") == "1":
                project_services.remove_indicator(indicator, actor=current_user)
                message = _("Indicator removed.")
            else:
                project_services.change_indicator(
                    indicator,
                    actor=current_user,
                    target=request.form.get("target", "").strip() or "0",
                )
                message = _("Saved.")
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
        else:
            flash(message, "success")
    return redirect(url_for("projects.project", project_id=project_id))
