"""Report pages: the dashboard for each role, the monthly report (page, print and
Excel), and the service projects with their indicators and progress. Every figure
comes from ``incubator.reports.metrics``."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from incubator.activities.models import (
    FORM_LABELS,
    SERVICE_TYPE_LABELS,
    TARGET_GROUP_LABELS,
    Form,
    ServiceType,
    TargetGroup,
)
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.forms import EmptyForm
from incubator.i18n import local_today
from incubator.normalize import parse_day, parse_whole
from incubator.projects.models import Project
from incubator.reports import dashboards, metrics
from incubator.reports import projects as project_services
from incubator.reports.projects import METRIC_LABELS, METRIC_RULES
from incubator.security import id_arg
from incubator.transaction import roll_back
from incubator.volunteers.queries import month_range

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


@bp.route("")
@roles_required()
def index():
    """The dashboard of the caller's role (``incubator.reports.dashboards``)."""
    if current_user.role == Role.SOCIAL_WORKER:
        return render_template(
            "reports/worker.html", dashboard=dashboards.worker_dashboard(current_user)
        )
    if current_user.role == Role.ORG_LEADER:
        return render_template(
            "reports/leader.html", dashboard=dashboards.leader_dashboard(current_user)
        )
    return render_template(
        "reports/dashboard.html",
        dashboard=dashboards.agency_dashboard(id_arg(request.args.get("project"))),
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
        service_labels=SERVICE_TYPE_LABELS,
        target_labels=TARGET_GROUP_LABELS,
    )


def _month_arg() -> str:
    month = request.args.get("month") or ""
    if month_range(month) is None:
        last = local_today().replace(day=1) - timedelta(days=1)
        month = f"{last.year:04d}-{last.month:02d}"
    return month


def _bounds(month: str) -> tuple[date, date]:
    bounds = month_range(month)
    assert bounds is not None  # _month_arg gives a valid month
    return bounds


@bp.route("/monthly")
@roles_required(*READERS)
def monthly():
    month = _month_arg()
    report = metrics.monthly_report(_bounds(month), month)
    return render_template(
        "reports/monthly.html",
        report=report,
        month=month,
        form_labels=FORM_LABELS,
        service_labels=SERVICE_TYPE_LABELS,
        target_labels=TARGET_GROUP_LABELS,
        Form=Form,
        ServiceType=ServiceType,
        TargetGroup=TargetGroup,
    )


@bp.route("/monthly.xlsx")
@roles_required(*READERS)
def monthly_xlsx():
    from incubator.reports.export import monthly_workbook

    month = _month_arg()
    return monthly_workbook(metrics.monthly_report(_bounds(month), month))


# ---- projects ----


@bp.route("/projects")
@roles_required(*READERS)
def projects():
    rows = db.session.scalars(
        select(Project)
        .options(joinedload(Project.community), selectinload(Project.indicators))
        .order_by(Project.starts_on.desc())
    ).all()
    return render_template("reports/projects.html", projects=rows, form=EmptyForm())


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
            return redirect(url_for("reports.project", project_id=project.id))
    return render_template("reports/project_form.html", values=values, form=EmptyForm())


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
    if found is None:
        abort(404)
    return render_template(
        "reports/project.html",
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
    if found is None:
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
    return redirect(url_for("reports.project", project_id=project_id))


def _project_or_404(project_id: int) -> Project:
    found = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.community), selectinload(Project.indicators))
    )
    if found is None:
        abort(404)
    return found


@bp.route("/projects/<int:project_id>/annual")
@roles_required(*READERS)
def annual(project_id: int):
    from incubator.reports import annual as annual_report

    found = _project_or_404(project_id)
    figures = annual_report.annual_figures(found)
    return render_template(
        "reports/annual.html",
        project=found,
        figures=figures,
        narrative=annual_report.narrative(figures),
    )


@bp.route("/projects/<int:project_id>/application", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER)
def application(project_id: int):
    """The district's application form for renewing, 申报理由 drafted from the
    year's figures; edited on the page, then shown ready to print (not stored)."""
    from incubator.reports import annual as annual_report

    found = _project_or_404(project_id)
    reason = annual_report.application_reason(
        found, annual_report.annual_figures(found)
    )
    printing = False
    if request.method == "POST" and EmptyForm().validate_on_submit():
        reason = (request.form.get("reason") or "").strip()[:20_000] or reason
        printing = True
    return render_template(
        "reports/application.html",
        project=found,
        reason=reason,
        printing=printing,
        form=EmptyForm(),
    )


@bp.route("/indicators/<int:indicator_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def change_indicator(indicator_id: int):
    from incubator.projects.models import Indicator

    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
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
    return redirect(url_for("reports.project", project_id=project_id))
