"""Roster pages: the list, adding and editing, a volunteer's page, revealing a
number, anonymizing, exports and an organization's roster."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice
from wtforms.validators import Length, Optional

from incubator.auth.permissions import roles_required
from incubator.auth.roles import RESIDENT_ROLES, Role
from incubator.community.scope import scope_communities
from incubator.errors import DomainError, StaleRecord
from incubator.extensions import db
from incubator.forms import EmptyForm, form_input
from incubator.i18n import local_today
from incubator.organizations.access import get_visible_organization_or_404
from incubator.organizations.queries import organization_filter
from incubator.organizations.views import compound_choices
from incubator.paging import paginate
from incubator.periods import month_key
from incubator.security import id_arg
from incubator.transaction import flash_form_errors, roll_back
from incubator.volunteers import hours as hours_service
from incubator.volunteers import services
from incubator.volunteers.access import (
    get_visible_volunteer_or_404,
    manageable_organizations,
    may_edit_volunteer,
)
from incubator.volunteers.certificates import agency_for
from incubator.volunteers.export import roster_workbook
from incubator.volunteers.forms import (
    CertificateForm,
    CorrectionForm,
    MembershipForm,
    ServiceHoursForm,
    VolunteerFilterForm,
    VolunteerForm,
    VolunteerSearchForm,
)
from incubator.volunteers.models import (
    Certificate,
    Membership,
    ServiceRecord,
    Volunteer,
)
from incubator.volunteers.privacy import (
    log_reveal,
    mask_phone,
)
from incubator.volunteers.queries import VolunteerView, volunteers_query
from incubator.volunteers.schemas import FIELDS, RosterRegistration, clean_skills

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

PER_PAGE = 30
# Who may open the roster, a volunteer, hours and certificates: not viewers, who
# see no resident (RESIDENT_ROLES); they get 403 on every page of this blueprint.
READERS = tuple(RESIDENT_ROLES)
EDITORS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)
# Bulk import checks many numbers against the whole roster at once: staff only.
IMPORTERS = (Role.ADMIN, Role.SOCIAL_WORKER)
SEARCH_KEY = "volunteer_search"


def org_choices(blank=None) -> list[SelectChoice]:
    first = [SelectChoice("", blank)] if blank else []
    return first + [
        SelectChoice(str(o.id), o.name) for o in manageable_organizations(current_user)
    ]


def _filters():
    form = VolunteerFilterForm(request.args)
    form.compound.choices = compound_choices(_("All compounds"))

    form.org_filter = organization_filter(
        current_user,
        selected=id_arg(request.args.get("organization")),
        q=request.args.get("org_q"),
    )
    form.organization.choices = [SelectChoice("", _("All organizations"))] + [
        SelectChoice(str(i), name) for i, name in form.org_filter.options
    ]
    valid = form.validate()
    search = session.get(SEARCH_KEY, {})
    query = volunteers_query(
        current_user,
        name=search.get("q"),
        phone_tail=search.get("phone_tail"),
        skill=form.skill.data if valid else None,
        compound_id=int(form.compound.data) if valid and form.compound.data else None,
        organization_id=int(form.organization.data)
        if valid and form.organization.data
        else None,
        status=(form.status.data if valid else "active") or None,
    )
    return form, query, search


@bp.route("")
@roles_required(*READERS)
def index():
    form, query, search = _filters()
    page = paginate(query, PER_PAGE)
    totals = hours_service.total_hours([v.id for v in page.items])
    return render_template(
        "volunteers/index.html",
        form=form,
        search_form=VolunteerSearchForm(data=search),
        page=page,
        totals=totals,
        mask_phone=mask_phone,
    )


@bp.route("/search", methods=["POST"])
@roles_required(*READERS)
def search():
    """Keep name and phone-tail filters in the session, out of URLs and logs."""
    form = VolunteerSearchForm()
    if request.form.get("clear") is not None:
        session.pop(SEARCH_KEY, None)
    elif form.validate_on_submit():
        session[SEARCH_KEY] = {
            "q": (form.q.data or "").strip(),
            "phone_tail": (form.phone_tail.data or "").strip(),
        }
    else:
        # Said, not dropped: a tail such as ٠٠٩٨ would otherwise list everyone.
        session.pop(SEARCH_KEY, None)
        flash_form_errors(form)
    args: dict[str, Any] = request.args.to_dict()
    return redirect(url_for("volunteers.index", **args))


@bp.route("/export.xlsx")
@roles_required(*READERS)
def export():
    _form, query, _search = _filters()
    volunteers = db.session.scalars(query).unique().all()
    totals = hours_service.total_hours([v.id for v in volunteers])
    response = roster_workbook(volunteers, totals, actor=current_user)
    return response


def _volunteer_form(volunteer=None) -> VolunteerForm:
    form = VolunteerForm(obj=volunteer if request.method == "GET" else None)
    form.compound_id.choices = compound_choices(_("(none)"))
    blank = None if current_user.role == Role.ORG_LEADER else _("(none)")
    form.organization_id.choices = org_choices(blank)
    communities = scope_communities(current_user) if volunteer is None else []
    if len(communities) > 1 and blank:
        form.community_id.choices = [SelectChoice("", _("(none)"))] + [
            SelectChoice(str(c.id), c.name) for c in communities
        ]
    if request.method == "GET" and volunteer is not None:
        form.skills.data = "、".join(volunteer.skill_names)
        form.availability.data = list(volunteer.availability or [])
    return form


def _values(form: VolunteerForm) -> dict:
    return {name: form[name].data for name in FIELDS if name in form._fields}


def _registration(form: VolunteerForm) -> RosterRegistration:
    """The registration the form holds: the fields left empty take the input's
    defaults; the skills typed as one text become a list, checked in the words
    the page always used (``At most 12 skills.``, not the list's length)."""
    values = {name: value for name, value in _values(form).items() if value is not None}
    values["skills"] = clean_skills(values.get("skills"))
    if form.community_id.choices and form.community_id.data:
        values["community_id"] = form.community_id.data
    return form_input(RosterRegistration, role=form.role.data, **values)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    form = _volunteer_form()
    if form.validate_on_submit():
        org = None
        if form.organization_id.data:
            org = get_visible_organization_or_404(
                current_user, form.organization_id.data
            )
        try:
            registration = _registration(form)
            volunteer = services.create_volunteer(
                registration, actor=current_user, organization=org
            )
        except DomainError as exc:
            roll_back(exc)
            form.show_domain_error(exc)
        else:
            flash(_("Volunteer %(no)s added.", no=volunteer.number), "success")
            return redirect(url_for("volunteers.detail", volunteer_id=volunteer.id))
    return render_template("volunteers/form.html", form=form, volunteer=None)


@bp.route("/<int:volunteer_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(volunteer_id: int):
    volunteer = get_visible_volunteer_or_404(current_user, volunteer_id)
    if not may_edit_volunteer(current_user, volunteer):
        abort(403)
    form = _volunteer_form(volunteer)
    # Memberships are managed on the volunteer's page, not in this form.
    del form.organization_id
    del form.role
    # Full numbers are never put in the edit page (staff reveal them, logged, on
    # the volunteer's page): the fields start blank and blank keeps the number.
    form.phone.validators = [Optional(), Length(max=20)]
    form.phone.flags.required = False
    if request.method == "GET":
        form.phone.data = ""
        form.id_number.data = ""
    if form.validate_on_submit():
        values = _values(form)
        for key in ("phone", "id_number"):
            if not values.get(key):
                values.pop(key)
        try:
            services.update_volunteer(
                volunteer,
                actor=current_user,
                expected_version=form.version.data,
                **values,
            )
        except StaleRecord as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        except DomainError as exc:
            roll_back(exc)
            form.show_domain_error(exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("volunteers.detail", volunteer_id=volunteer.id))
    return render_template("volunteers/form.html", form=form, volunteer=volunteer)


def _detail_context(volunteer: Volunteer) -> dict:
    records = db.session.scalars(
        select(ServiceRecord)
        .where(ServiceRecord.volunteer_id == volunteer.id)
        .options(
            joinedload(ServiceRecord.organization),
            joinedload(ServiceRecord.recorded_by),
        )
        .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
    ).all()
    counted = [r for r in records if not r.superseded]
    total = sum((r.hours for r in counted), Decimal("0"))
    by_org: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for r in counted:
        by_org[r.organization.name] += r.hours
        by_month[month_key(r.served_on)] += r.hours
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.volunteer_id == volunteer.id)
        .order_by(Certificate.id.desc())
    ).all()
    manageable = manageable_organizations(current_user)
    hours_form = ServiceHoursForm()
    member_orgs = {m.organization_id for m in volunteer.memberships}
    hours_form.organization_id.choices = [
        SelectChoice(str(o.id), o.name) for o in manageable if o.id in member_orgs
    ]
    hours_form.served_on.data = hours_form.served_on.data or local_today()
    membership_form = MembershipForm()
    membership_form.organization_id.choices = [
        SelectChoice(str(o.id), o.name) for o in manageable
    ]
    certificate_form = CertificateForm()
    certificate_form.issuer_name.choices = issuer_choices(volunteer)
    view = VolunteerView(volunteer, current_user)
    return {
        "volunteer": volunteer,
        "records": records,
        "total": total,
        "star": hours_service.star_progress(total),
        "by_org": sorted(by_org.items()),
        "by_month": sorted(by_month.items(), reverse=True),
        "certificates": certificates,
        "hours_form": hours_form,
        "membership_form": membership_form,
        "certificate_form": certificate_form,
        "action_form": EmptyForm(),
        "correction_form": CorrectionForm(),
        "manageable_ids": {o.id for o in manageable},
        "may_edit": view.may_edit,
        "can_reveal": view.may_see_numbers,
        "phone": view.masked_phone,
        "id_number": view.masked_id_number,
        "revealed": None,
    }


def issuer_choices(volunteer: Volunteer) -> list[SelectChoice]:
    """The agency serving the volunteer's community (its project's 承接机构,
    else ``AGENCY_NAME``), then the organizations they serve in."""
    names = [agency_for(volunteer.community_id, local_today())] + [
        m.organization.name for m in volunteer.memberships
    ]
    unique = list(dict.fromkeys(names))
    return [SelectChoice(name, name) for name in unique]


def load_volunteer(volunteer_id: int) -> Volunteer:
    return get_visible_volunteer_or_404(
        current_user,
        volunteer_id,
        joinedload(Volunteer.compound),
        selectinload(Volunteer.skills),
        selectinload(Volunteer.memberships).joinedload(Membership.organization),
    )


@bp.route("/<int:volunteer_id>")
@roles_required(*READERS)
def detail(volunteer_id: int):
    volunteer = load_volunteer(volunteer_id)
    return render_template("volunteers/detail.html", **_detail_context(volunteer))


@bp.route("/<int:volunteer_id>/reveal", methods=["POST"])
@roles_required(Role.ADMIN, Role.SOCIAL_WORKER)
def reveal(volunteer_id: int):
    """Show one full number on the page (never in a URL) and log who saw it."""
    volunteer = load_volunteer(volunteer_id)
    field = request.form.get("field")
    if field not in ("phone", "id_number") or not EmptyForm().validate_on_submit():
        abort(400)
    log_reveal(volunteer, field, actor=current_user)
    volunteer = load_volunteer(volunteer_id)
    context = _detail_context(volunteer)
    context[field] = getattr(volunteer, field) or ""
    context["revealed"] = field
    return render_template("volunteers/detail.html", **context)


@bp.route("/<int:volunteer_id>/anonymize", methods=["POST"])
@roles_required(Role.ADMIN)
def anonymize(volunteer_id: int):
    volunteer = get_visible_volunteer_or_404(current_user, volunteer_id)
    if EmptyForm().validate_on_submit():
        try:
            services.anonymize_volunteer(volunteer, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(
                _("The volunteer is anonymized; their hours stay in the totals."),
                "success",
            )
    return redirect(url_for("volunteers.detail", volunteer_id=volunteer.id))


@bp.route("/organization/<int:org_id>")
@roles_required(*READERS)
def org_roster(org_id: int):
    org = get_visible_organization_or_404(current_user, org_id)
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.organization_id == org.id)
        .options(joinedload(Membership.volunteer))
        .order_by(
            Membership.left_on.is_not(None),
            Membership.role.desc(),
            Membership.joined_on,
        )
    ).all()
    totals = dict(
        db.session.execute(
            select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.hours))
            .where(ServiceRecord.organization_id == org.id, hours_service.counted())
            .group_by(ServiceRecord.volunteer_id)
        ).all()
    )
    current = [m for m in memberships if m.left_on is None]
    return render_template(
        "volunteers/org_roster.html",
        org=org,
        memberships=memberships,
        totals=totals,
        total_hours=sum((Decimal(t) for t in totals.values()), Decimal("0")),
        backbone=sum(1 for m in current if m.role == "backbone"),
        current_count=len(current),
        manage=org.id in {o.id for o in manageable_organizations(current_user)},
        mask_phone=mask_phone,
    )
