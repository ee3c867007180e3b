"""The home page and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from incubator.auth.permissions import roles_required
from incubator.auth.views import safe_next
from incubator.extensions import db
from incubator.i18n import LANG_COOKIE, LOCALES
from incubator.organizations.access import org_scope
from incubator.organizations.models import Organization

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
@roles_required()
def home():
    scope = org_scope(current_user) & Organization.archived_at.is_(None)
    org_count = db.session.scalar(
        select(func.count()).select_from(Organization).where(scope)
    )
    my_orgs = db.session.scalars(
        select(Organization)
        .where(scope)
        .where(
            (Organization.leader_user_id == current_user.id)
            | (Organization.social_worker_id == current_user.id)
        )
        .options(selectinload(Organization.compound))
        .order_by(Organization.name)
        .limit(20)
    ).all()
    return render_template(
        "main/home.html",
        org_count=org_count,
        my_orgs=my_orgs,
        config_endpoints=current_app.view_functions,
    )


@bp.route("/language/<code>")
def set_language(code: str):
    """Switch the page language (``zh`` or ``en``) and go back where the user was."""
    response = redirect(safe_next(request.args.get("next")))
    if code in LOCALES:
        response.set_cookie(
            LANG_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True
        )
    return response
