"""系统管理 → 居民信息: an admin erases one resident on her request (PIPL art. 47).

The admin types the mobile number (sent in the form body, never in a URL or a
log), sees the masked number, the name, when she first and last signed in and
how many sign-ins of each kind she has (not where: the admin needs to know it is
the right person, not her whereabouts), and erases her with a reason. Her
sign-ins stay, nameless, so every figure of the past stays.

Residents are agency-wide (one person signs in to several communities), so an
admin whose scope is limited to some communities is sent to an admin of all.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from incubator import signals
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.signins.forms import ResidentEraseForm, ResidentSearchForm
from incubator.signins.models import Resident, SignIn
from incubator.signins.services import erase_resident, find_resident
from incubator.transaction import roll_back

bp = Blueprint("residents_admin", __name__, url_prefix="/admin/residents")


def _unlimited_admin() -> None:
    if any(signals.values(signals.scope_limited.send(current_user))):
        abort(403)


def resident_summary(resident: Resident) -> dict:
    """First and last sign-in and the number of sign-ins by kind, one query."""
    row = db.session.execute(
        select(
            func.min(SignIn.signed_at),
            func.max(SignIn.signed_at),
            func.count(SignIn.activity_id),
            func.count(SignIn.session_id),
            func.count(SignIn.booking_id),
        ).where(SignIn.resident_id == resident.id)
    ).one()
    first, last, activities, sessions, bookings = row
    return {
        "first": first,
        "last": last,
        "counts": [
            (_("Activities"), activities),
            (_("Capacity-building sessions"), sessions),
            (_("Room bookings"), bookings),
        ],
        "total": activities + sessions + bookings,
    }


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def residents():
    _unlimited_admin()
    form = ResidentSearchForm()
    resident = None
    searched = False
    if form.validate_on_submit():
        searched = True
        try:
            resident = find_resident(form.phone.data)
        except DomainError as exc:
            form.show_domain_error(exc)
            searched = False
    return render_template(
        "signins/residents.html",
        form=form,
        searched=searched,
        resident=resident,
        summary=resident_summary(resident) if resident else None,
        erase_form=ResidentEraseForm(formdata=None),
    )


@bp.route("/<int:resident_id>/erase", methods=["POST"])
@roles_required(Role.ADMIN)
def erase(resident_id: int):
    _unlimited_admin()
    resident = db.session.get(Resident, resident_id)
    if resident is None or resident.erased:
        abort(404)
    form = ResidentEraseForm()
    if not form.validate_on_submit():
        return render_template(
            "signins/residents.html",
            form=ResidentSearchForm(formdata=None),
            searched=True,
            resident=resident,
            summary=resident_summary(resident),
            erase_form=form,
        )
    try:
        erase_resident(resident, actor=current_user, reason=form.reason.data)
    except DomainError as exc:
        roll_back(exc)
        form.show_domain_error(exc)
        return render_template(
            "signins/residents.html",
            form=ResidentSearchForm(formdata=None),
            searched=True,
            resident=resident,
            summary=resident_summary(resident),
            erase_form=form,
        )
    flash(
        _(
            "The resident's name and number were erased; her sign-ins stay in "
            "the counts, without her."
        ),
        "success",
    )
    return redirect(url_for("residents_admin.residents"))
