"""The admin page configuring stages, dimensions and graduation criteria."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import EmptyForm
from incubator.organizations import settings
from incubator.organizations.incubation import (
    FIXED_STAGES,
    all_dimensions,
    all_stages,
    graduation_criteria,
)
from incubator.organizations.models import GraduationSetting

bp = Blueprint("incubation_admin", __name__, url_prefix="/admin/incubation")

FIELDS = ("key", "label_zh", "label_en", "position", "active")


def _rows_from_form(prefix: str) -> list[dict]:
    """Rows posted as ``<prefix>-<n>-<field>``; a new row with an empty key is
    ignored."""
    rows: dict[str, dict[str, str]] = {}
    for name, value in request.form.items():
        parts = name.split("-", 2)
        if len(parts) == 3 and parts[0] == prefix and parts[2] in FIELDS:
            rows.setdefault(parts[1], {})[parts[2]] = value
    return [
        row
        for _n, row in sorted(rows.items())
        if (row.get("key") or "").strip() or _n != "new"
    ]


@bp.route("")
@roles_required(Role.ADMIN)
def index():
    criteria_row = db.session.scalar(select(GraduationSetting).limit(1))
    return render_template(
        "organizations/admin_incubation.html",
        stage_rows=all_stages(),
        dimension_rows=all_dimensions(),
        criteria=graduation_criteria(),
        criteria_version=criteria_row.version if criteria_row else None,
        fixed=FIXED_STAGES,
        form=EmptyForm(),
    )


def _save(call, *args, **kwargs):
    try:
        call(*args, actor=current_user, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    except (TypeError, ValueError):
        db.session.rollback()
        flash(_("Some values are not valid."), "danger")
    else:
        flash(_("Saved. Records made before keep their labels."), "success")
    return redirect(url_for("incubation_admin.index"))


@bp.route("/stages", methods=["POST"])
@roles_required(Role.ADMIN)
def save_stages():
    return _save(settings.save_stages, _rows_from_form("stage"))


@bp.route("/dimensions", methods=["POST"])
@roles_required(Role.ADMIN)
def save_dimensions():
    return _save(settings.save_dimensions, _rows_from_form("dimension"))


@bp.route("/criteria", methods=["POST"])
@roles_required(Role.ADMIN)
def save_criteria():
    form = request.form
    return _save(
        settings.save_criteria,
        min_average=form.get("min_average", ""),
        min_activities=form.get("min_activities", ""),
        activity_months=form.get("activity_months", ""),
        require_filing=form.get("require_filing") == "1",
        expected_version=form.get("version", type=int),
    )
