"""The ledger of resources linked (资源链接台账): lines, totals, evidence."""

from __future__ import annotations

from decimal import Decimal

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
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from incubator import storage
from incubator.activities import services
from incubator.activities.export import resources_workbook
from incubator.activities.forms import ResourceForm
from incubator.activities.models import Activity, ResourceLink
from incubator.activities.schemas import ResourceEntry
from incubator.auth.permissions import roles_required
from incubator.auth.roles import RESIDENT_ROLES, STAFF_ROLES, Role
from incubator.community.scope import in_scope, scope_communities
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import form_input
from incubator.organizations.access import can_see_organization, org_scope
from incubator.organizations.models import Organization
from incubator.paging import paginate
from incubator.periods import month_range
from incubator.security import id_arg
from incubator.transaction import roll_back
from incubator.volunteers.access import manageable_organizations

bp = Blueprint("resources", __name__, url_prefix="/resources")


def ledger_query(user, month=None):
    """Lines the user may see: an org leader only their organizations' lines,
    others those of the organizations and communities in their scope."""
    stmt = (
        select(ResourceLink)
        .outerjoin(Organization, Organization.id == ResourceLink.organization_id)
        .options(
            joinedload(ResourceLink.organization),
            joinedload(ResourceLink.activity),
            joinedload(ResourceLink.recorded_by),
        )
    )
    if user.role not in STAFF_ROLES and user.role != Role.VIEWER:
        stmt = stmt.where(ResourceLink.organization_id.is_not(None), org_scope(user))
    else:
        stmt = stmt.where(
            or_(
                and_(
                    ResourceLink.organization_id.is_(None),
                    in_scope(ResourceLink.community_id, user),
                ),
                org_scope(user),
            )
        )
    if month is not None:
        stmt = stmt.where(
            ResourceLink.received_on >= month[0], ResourceLink.received_on < month[1]
        )
    return stmt.order_by(ResourceLink.received_on.desc(), ResourceLink.id.desc())


def ledger_totals(stmt) -> dict:
    sub = stmt.order_by(None).subquery()
    year = func.extract("year", sub.c.received_on)
    month = func.extract("month", sub.c.received_on)
    total = db.session.scalar(select(func.coalesce(func.sum(sub.c.value), 0)))
    by_kind = db.session.execute(
        select(sub.c.kind, func.sum(sub.c.value)).group_by(sub.c.kind)
    ).all()
    by_partner = db.session.execute(
        select(sub.c.partner, func.sum(sub.c.value))
        .group_by(sub.c.partner)
        .order_by(func.sum(sub.c.value).desc())
        .limit(10)
    ).all()
    by_month = db.session.execute(
        select(year, month, func.sum(sub.c.value))
        .group_by(year, month)
        .order_by(year.desc(), month.desc())
        .limit(12)
    ).all()
    return {
        "total": Decimal(total),
        "by_kind": by_kind,
        "by_partner": by_partner,
        "by_month": [(f"{int(y):04d}-{int(m):02d}", v) for y, m, v in by_month],
    }


@bp.route("")
@roles_required()
def index():
    month = request.args.get("month", "")
    stmt = ledger_query(current_user, month_range(month))
    page = paginate(stmt, 30)
    return render_template(
        "activities/resources.html", page=page, month=month, totals=ledger_totals(stmt)
    )


@bp.route("/export.xlsx")
@roles_required()
def export():
    stmt = ledger_query(current_user, month_range(request.args.get("month")))
    return resources_workbook(db.session.scalars(stmt).unique().all())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
def new():
    form = ResourceForm()
    orgs = manageable_organizations(current_user)
    blank = (
        [SelectChoice("", _("(the project as a whole)"))]
        if (current_user.role in STAFF_ROLES)
        else []
    )
    form.organization_id.choices = blank + [
        SelectChoice(str(o.id), o.name) for o in orgs
    ]
    communities = scope_communities(current_user) if blank else []
    if len(communities) > 1:
        form.community_id.choices = [
            SelectChoice(str(c.id), c.name) for c in communities
        ]
    activity = None
    activity_id = id_arg(request.values.get("activity_id"))
    if activity_id:
        activity = db.session.get(Activity, activity_id)
        if activity is None or not can_see_organization(
            current_user, activity.organization
        ):
            abort(404)
        if request.method == "GET":
            form.organization_id.data = activity.organization_id
            form.received_on.data = activity.held_on
    if form.validate_on_submit():
        org = next((o for o in orgs if o.id == form.organization_id.data), None)
        upload = form.evidence.data
        evidence = (
            (upload.read(), upload.filename) if upload and upload.filename else None
        )
        try:
            entry = form_input(
                ResourceEntry,
                partner=form.partner.data,
                kind=form.kind.data,
                value=form.value.data,
                received_on=form.received_on.data,
                description=form.description.data or "",
                valuation_basis=form.valuation_basis.data or "",
                organization_id=org.id if org else None,
                activity_id=activity.id if activity else None,
                community_id=(
                    form.community_id.data
                    if form.community_id.choices and not org
                    else None
                ),
            )
            services.record_resource(
                entry,
                actor=current_user,
                organization=org,
                activity=activity,
                evidence=evidence,
            )
        except DomainError as exc:
            roll_back(exc)
            form.show_domain_error(exc)
        else:
            flash(_("Added to the ledger."), "success")
            if activity is not None:
                return redirect(url_for("activities.detail", activity_id=activity.id))
            return redirect(url_for("resources.index"))
    return render_template(
        "activities/resource_form.html", form=form, activity=activity
    )


@bp.route("/<int:line_id>/evidence")
@roles_required(*RESIDENT_ROLES)  # an invoice or donor's statement names people
def evidence(line_id: int):
    line = db.session.get(ResourceLink, line_id)
    if line is None or not line.evidence_name:
        abort(404)
    visible = db.session.scalar(
        ledger_query(current_user).where(ResourceLink.id == line.id)
    )
    if visible is None:
        abort(404)
    mimetype = (
        "application/pdf" if line.evidence_name.endswith(".pdf") else "image/jpeg"
    )
    try:
        return storage.send("evidence", line.evidence_name, mimetype=mimetype)
    except storage.StoredFileMissing:
        abort(404)
