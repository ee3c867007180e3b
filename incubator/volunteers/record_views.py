"""Memberships, service hours and corrections, certificates and the Excel import."""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import EmptyForm
from incubator.organizations.models import Organization
from incubator.organizations.queries import organization_filter
from incubator.paging import paginate
from incubator.periods import month_range
from incubator.security import id_arg
from incubator.spreadsheets import XLSX, answer_export
from incubator.transaction import run_and_flash
from incubator.volunteers import certificates, hours, importer, services
from incubator.volunteers.access import (
    get_visible_volunteer_or_404,
    manageable_organizations,
    volunteer_scope,
)
from incubator.volunteers.export import HOURS
from incubator.volunteers.forms import (
    CertificateForm,
    CorrectionForm,
    ImportForm,
    MembershipChangeForm,
    MembershipForm,
    ServiceHoursForm,
)
from incubator.volunteers.models import (
    Certificate,
    Membership,
    RosterImport,
    ServiceRecord,
    Volunteer,
)
from incubator.volunteers.privacy import mask_phone
from incubator.volunteers.queries import hours_query
from incubator.volunteers.views import (
    EDITORS,
    IMPORTERS,
    READERS,
    bp,
    issuer_choices,
    org_choices,
)


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


def _manageable_org(org_id):
    org = next(
        (o for o in manageable_organizations(current_user) if o.id == org_id), None
    )
    if org is None:
        abort(404)
    return org


@bp.route("/<int:volunteer_id>/memberships", methods=["POST"])
@roles_required(*EDITORS)
def add_membership(volunteer_id: int):
    volunteer = get_visible_volunteer_or_404(current_user, volunteer_id)
    form = MembershipForm()
    form.organization_id.choices = org_choices()
    if form.validate_on_submit():
        org = _manageable_org(form.organization_id.data)
        run_and_flash(
            services.add_membership,
            volunteer,
            org,
            actor=current_user,
            role=form.role.data,
            joined_on=form.joined_on.data,
            success=_("Added to %(org)s.", org=org.name),
        )
    else:
        _flash_errors(form)
    return redirect(url_for("volunteers.detail", volunteer_id=volunteer.id))


@bp.route("/memberships/<int:membership_id>", methods=["POST"])
@roles_required(*EDITORS)
def change_membership(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    get_visible_volunteer_or_404(current_user, membership.volunteer_id)
    form = MembershipChangeForm()
    if form.validate_on_submit():
        run_and_flash(
            services.change_membership,
            membership,
            actor=current_user,
            role=form.role.data,
            left_on=form.left_on.data,
            success=_("Saved."),
        )
    else:
        _flash_errors(form)
    if request.form.get("back") == "org":
        return redirect(
            url_for("volunteers.org_roster", org_id=membership.organization_id)
        )
    return redirect(url_for("volunteers.detail", volunteer_id=membership.volunteer_id))


@bp.route("/<int:volunteer_id>/hours", methods=["POST"])
@roles_required(*EDITORS)
def add_hours(volunteer_id: int):
    volunteer = get_visible_volunteer_or_404(current_user, volunteer_id)
    form = ServiceHoursForm()
    form.organization_id.choices = org_choices()
    if form.validate_on_submit():
        org = _manageable_org(form.organization_id.data)
        run_and_flash(
            hours.record_service,
            volunteer,
            org,
            actor=current_user,
            served_on=form.served_on.data,
            hours=form.hours.data,
            service=form.service.data,
            success=_("%(h)s hours recorded.", h=form.hours.data),
        )
    else:
        _flash_errors(form)
    return redirect(
        url_for("volunteers.detail", volunteer_id=volunteer.id, _anchor="hours")
    )


@bp.route("/hours/<int:record_id>/correct", methods=["GET", "POST"])
@roles_required(*EDITORS)
def correct_hours(record_id: int):
    record = db.get_or_404(ServiceRecord, record_id)
    get_visible_volunteer_or_404(current_user, record.volunteer_id)
    if record.organization_id not in {
        o.id for o in manageable_organizations(current_user)
    }:
        abort(403)
    form = CorrectionForm(obj=record if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            hours.correct_service(
                record,
                actor=current_user,
                reason=form.reason.data,
                hours=form.hours.data,
                served_on=form.served_on.data,
                service=form.service.data,
            )
        except DomainError as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            flash(_("Corrected; both entries stay in the history."), "success")
            return redirect(
                url_for(
                    "volunteers.detail",
                    volunteer_id=record.volunteer_id,
                    _anchor="hours",
                )
            )
    return render_template("volunteers/correct.html", form=form, record=record)


def _hours_filters():
    org_id = id_arg(request.args.get("organization"))
    month = request.args.get("month", "")
    return (
        org_id,
        month,
        hours_query(current_user, organization_id=org_id, month=month_range(month)),
    )


@bp.route("/hours")
@roles_required(*READERS)
def hours_index():
    org_id, month, query = _hours_filters()
    page = paginate(query, 50)
    counted = query.order_by(None).where(ServiceRecord.superseded.is_(False)).subquery()
    year = func.extract("year", counted.c.served_on)
    month_no = func.extract("month", counted.c.served_on)
    monthly = [
        (f"{int(y):04d}-{int(m):02d}", total)
        for y, m, total in db.session.execute(
            select(year, month_no, func.sum(counted.c.hours))
            .group_by(year, month_no)
            .order_by(year.desc(), month_no.desc())
            .limit(24)
        )
    ]

    org_filter = organization_filter(
        current_user, selected=org_id, q=request.args.get("org_q")
    )
    return render_template(
        "volunteers/hours.html",
        page=page,
        monthly=monthly,
        org_filter=org_filter,
        org_id=org_id,
        month=month,
        total=sum((Decimal(t or 0) for _m, t in monthly), Decimal("0")),
    )


@bp.route("/hours/export.xlsx")
@roles_required(*READERS)
def hours_export():
    return answer_export(HOURS, current_user, request.args)


@bp.route("/<int:volunteer_id>/certificates", methods=["POST"])
@roles_required(*EDITORS)
def issue_certificate(volunteer_id: int):
    volunteer = get_visible_volunteer_or_404(current_user, volunteer_id)
    form = CertificateForm()
    form.issuer_name.choices = issuer_choices(volunteer)
    if form.validate_on_submit():
        try:
            cert = certificates.issue_certificate(
                volunteer,
                actor=current_user,
                issuer_name=form.issuer_name.data,
                start=form.start.data,
                end=form.end.data,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            return redirect(url_for("volunteers.certificate", certificate_id=cert.id))
    else:
        _flash_errors(form)
    return redirect(url_for("volunteers.detail", volunteer_id=volunteer.id))


@bp.route("/certificates/<int:certificate_id>")
@roles_required(*READERS)
def certificate(certificate_id: int):
    cert = db.session.scalar(
        select(Certificate)
        .join(Volunteer, Volunteer.id == Certificate.volunteer_id)
        .where(Certificate.id == certificate_id, volunteer_scope(current_user))
        .options(joinedload(Certificate.issued_by))
    )
    if cert is None:
        abort(404)
    return render_template("volunteers/certificate.html", cert=cert)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def import_roster():
    form = ImportForm()
    blank = None if current_user.role == Role.ORG_LEADER else _("(no organization)")
    form.organization_id.choices = org_choices(blank)
    if form.validate_on_submit():
        org = (
            _manageable_org(form.organization_id.data)
            if form.organization_id.data
            else None
        )
        upload = form.file.data
        try:
            batch = importer.prepare_import(
                upload.read(),
                upload.filename or "",
                actor=current_user,
                organization=org,
            )
        except DomainError as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            return redirect(url_for("volunteers.import_report", batch_id=batch.id))
    return render_template("volunteers/import.html", form=form)


@bp.route("/import/template.xlsx")
@roles_required(*IMPORTERS)
def import_template():
    return Response(
        importer.template_workbook(),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="volunteer-roster.xlsx"'},
    )


def _own_batch(batch_id: int) -> RosterImport:
    batch = db.session.get(RosterImport, batch_id)
    if batch is None or batch.created_by_id != current_user.id:
        abort(404)
    return batch


@bp.route("/import/<int:batch_id>")
@roles_required(*IMPORTERS)
def import_report(batch_id: int):
    batch = _own_batch(batch_id)
    organization = (
        db.session.get(Organization, batch.organization_id)
        if batch.organization_id
        else None
    )
    return render_template(
        "volunteers/import_report.html",
        batch=batch,
        organization=organization,
        mask_phone=mask_phone,
        form=EmptyForm(),
    )


@bp.route("/import/<int:batch_id>/confirm", methods=["POST"])
@roles_required(*IMPORTERS)
def import_confirm(batch_id: int):
    batch = _own_batch(batch_id)
    if EmptyForm().validate_on_submit():
        try:
            count = importer.confirm_import(batch, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("volunteers.import_report", batch_id=batch.id))
        flash(_("%(n)d volunteers imported.", n=count), "success")
    return redirect(url_for("volunteers.index"))


@bp.route("/import/<int:batch_id>/discard", methods=["POST"])
@roles_required(*IMPORTERS)
def import_discard(batch_id: int):
    batch = _own_batch(batch_id)
    if EmptyForm().validate_on_submit():
        importer.discard_import(batch, actor=current_user)
        flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(url_for("volunteers.import_roster"))
