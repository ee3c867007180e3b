"""Report pages: the dashboard for each role, the monthly report (page, print and
Excel), and each service project's annual summary and application. Every figure comes
from ``incubator.projects.metrics``."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from incubator.activities.models import (
    FORM_LABELS,
    SERVICE_TYPE_LABELS,
    TARGET_GROUP_LABELS,
    Activity,
    Form,
    ReviewState,
    ServiceType,
    TargetGroup,
)
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.database import utcnow
from incubator.extensions import db
from incubator.followups.queries import my_work
from incubator.forms import EmptyForm
from incubator.i18n import local_today
from incubator.organizations.incubation import stages
from incubator.organizations.models import Organization
from incubator.periods import month_key, month_range, months_before, previous_month
from incubator.projects import metrics
from incubator.projects import services as project_services
from incubator.projects.models import Project
from incubator.projects.services import METRIC_LABELS, METRIC_RULES
from incubator.reports import annual as annual_report
from incubator.reports.export import monthly_workbook
from incubator.reports.monthly import monthly_report
from incubator.security import id_arg
from incubator.sessions.queries import sessions_query
from incubator.ventures.queries import ventures_query
from incubator.volunteers.access import manageable_organizations

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


def _chart(kind: str, labels, series) -> str:
    return json.dumps(
        {
            "type": kind,
            "labels": [str(label) for label in labels],
            "series": [{"name": str(n), "data": list(d)} for n, d in series],
        },
        ensure_ascii=False,
    )


def _year_period(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), today + timedelta(days=1)


@bp.route("")
@roles_required()
def index():
    if current_user.role == Role.SOCIAL_WORKER:
        return _worker_dashboard()
    if current_user.role == Role.ORG_LEADER:
        return _leader_dashboard()
    today = local_today()
    projects = db.session.scalars(
        select(Project)
        .options(selectinload(Project.indicators))
        .order_by(Project.starts_on.desc(), Project.id.desc())
    ).all()
    wanted = id_arg(request.args.get("project"))
    project = next((p for p in projects if p.id == wanted), None) or (
        projects[0] if projects else None
    )
    progress = project_services.progress(project, today) if project else []
    last_year = (months_before(today.replace(day=1), 11), today + timedelta(days=1))
    trend = metrics.monthly_trend(last_year)
    year = _year_period(today)
    stage_counts = metrics.organizations_by_stage()
    line = [s for s in stages() if s.on_line]
    service_types = metrics.by_service_type(year)
    target_groups = metrics.by_target_group(year)
    compounds = metrics.by_compound(year)
    return render_template(
        "reports/dashboard.html",
        projects=projects,
        project=project,
        progress=progress,
        metric_labels=METRIC_LABELS,
        metric_rules=METRIC_RULES,
        trend=trend,
        trend_chart=_chart(
            "line",
            [m for m, _n, _p in trend],
            [
                (_("Activities"), [n for _m, n, _p in trend]),
                (_("Person-times"), [p for _m, _n, p in trend]),
            ],
        ),
        line=line,
        stage_counts=stage_counts,
        funnel_chart=_chart(
            "funnel",
            [s.label for s in line],
            [(_("Organizations"), [stage_counts.get(s.key, 0) for s in line])],
        ),
        service_types=service_types,
        service_labels=SERVICE_TYPE_LABELS,
        service_chart=_chart(
            "bar",
            [SERVICE_TYPE_LABELS[ServiceType(k)] for k in service_types],
            [(_("Activities"), list(service_types.values()))],
        ),
        target_groups=target_groups,
        target_labels=TARGET_GROUP_LABELS,
        compounds=compounds,
        resources=metrics.resources_value(year),
        year=today.year,
    )


def _worker_dashboard():
    from sqlalchemy import func

    work = my_work(current_user)
    caseload = db.session.scalar(
        select(func.count(Organization.id)).where(
            Organization.social_worker_id == current_user.id,
            Organization.archived_at.is_(None),
        )
    )
    reviews = db.session.scalar(
        select(func.count(Activity.id))
        .join(Organization, Organization.id == Activity.organization_id)
        .where(
            Organization.social_worker_id == current_user.id,
            Activity.review_state == ReviewState.PENDING,
        )
    )
    return render_template(
        "reports/worker.html", work=work, caseload=caseload, reviews=reviews
    )


def _leader_dashboard():
    today = local_today()
    orgs = manageable_organizations(current_user)
    start = today.replace(day=1)
    logged = set(
        db.session.scalars(
            select(Activity.organization_id).where(
                Activity.organization_id.in_([o.id for o in orgs] or [0]),
                Activity.held_on >= start,
            )
        )
    )

    sessions = (
        db.session.scalars(sessions_query(current_user, start=utcnow()).limit(5))
        .unique()
        .all()
    )
    ventures = db.session.scalars(ventures_query(current_user).limit(5)).unique().all()
    return render_template(
        "reports/leader.html",
        orgs=orgs,
        logged=logged,
        sessions=sessions,
        ventures=ventures,
        month=f"{today.year}年{today.month}月",
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


@bp.route("/monthly")
@roles_required(*READERS)
def monthly():
    month = _month_arg()
    report = monthly_report(_bounds(month), month)
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
    month = _month_arg()
    return monthly_workbook(monthly_report(_bounds(month), month))


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
