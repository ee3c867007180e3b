"""Report pages: the dashboard for each role (its read model in
``incubator.reports.dashboards``), the monthly report (page, print and
Excel), and each service project's annual summary and application. Every figure comes
from ``incubator.projects.metrics``."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
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
from incubator.community.scope import (
    may_see_community,
    scope_communities,
    scope_ids,
)
from incubator.extensions import db
from incubator.followups.forms import CompleteForm
from incubator.followups.models import FollowUpState
from incubator.followups.queries import worker_day
from incubator.forms import EmptyForm
from incubator.i18n import is_chinese, local_today
from incubator.periods import month_key, month_range, previous_month
from incubator.projects.models import Project
from incubator.projects.services import METRIC_LABELS, METRIC_RULES
from incubator.reports import annual as annual_report
from incubator.reports import dashboards
from incubator.reports.export import monthly_workbook
from incubator.reports.monthly import ReportScope, monthly_report, report_scope
from incubator.security import id_arg
from incubator.workflow import FOLLOWUP

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


@bp.route("")
@roles_required()
def index():
    """The dashboard of the caller's role (``incubator.reports.dashboards``)."""
    if current_user.role == Role.SOCIAL_WORKER:
        return worker_home()
    if current_user.role == Role.ORG_LEADER:
        return render_template(
            "reports/leader.html", dashboard=dashboards.leader_home(current_user)
        )
    return render_template(
        "reports/dashboard.html",
        dashboard=dashboards.agency_dashboard(
            id_arg(request.args.get("project")), current_user
        ),
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
        service_labels=SERVICE_TYPE_LABELS,
        target_labels=TARGET_GROUP_LABELS,
    )


def worker_home():
    """A social worker's home and 报表 page: her day (``followups.queries.worker_day``)
    with a form to record each follow-up due."""
    return render_template(
        "reports/worker.html",
        day=worker_day(current_user),
        complete_form=CompleteForm(),
        may_complete=FOLLOWUP.sources(FollowUpState.DONE, current_user.role),
        centre=dashboards.centre_figures(scope_ids(current_user)),
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
    )


def _month_arg() -> str:
    month = request.args.get("month") or ""
    if month_range(month) is None:
        month = previous_month(month_key(local_today()))
    return month


def _bounds(month: str) -> tuple[date, date]:
    bounds = month_range(month)
    assert bounds is not None  # _month_arg gives a valid month
    return bounds


def _report(month: str) -> tuple[dict, ReportScope]:
    """The month's report for ``?community_id=`` or ``?project_id=`` (a 404
    outside the caller's scope), else the caller's scope, with the
    per-community rows when it spans several communities."""
    scope = report_scope(
        current_user,
        id_arg(request.args.get("community_id")),
        id_arg(request.args.get("project_id")),
    )
    report = monthly_report(
        _bounds(month),
        month,
        scope.communities,
        breakdown=scope.rows if scope.several else None,
    )
    return report, scope


@bp.route("/monthly")
@roles_required(*READERS)
def monthly():
    month = _month_arg()
    report, scope = _report(month)
    return render_template(
        "reports/monthly.html",
        report=report,
        scope=scope,
        choices=scope_communities(current_user),
        month=month,
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
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
    month = _month_arg()
    return monthly_workbook(_report(month)[0])


def _project_or_404(project_id: int) -> Project:
    found = db.session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.community), selectinload(Project.indicators))
    )
    if found is None or not may_see_community(current_user, found.community_id):
        abort(404)
    return found


@bp.route("/projects/<int:project_id>/annual")
@roles_required(*READERS)
def annual(project_id: int):
    found = _project_or_404(project_id)
    figures = annual_report.annual_figures(found)
    return render_template(
        "reports/annual.html",
        project=found,
        figures=figures,
        previous=annual_report.previous_year(found),
        narrative=annual_report.narrative(figures, english=not is_chinese()),
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
    )


@bp.route("/projects/<int:project_id>/application", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER)
def application(project_id: int):
    """The district's application form for renewing, 申报理由 drafted from the
    year's figures; edited on the page, then shown ready to print (not stored)."""
    found = _project_or_404(project_id)
    reason = annual_report.application_reason(
        found,
        annual_report.annual_figures(found),
        annual_report.previous_year(found),
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
