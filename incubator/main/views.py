"""The home page and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.auth.views import safe_next
from incubator.forms import EmptyForm
from incubator.i18n import LANG_COOKIE, LOCALES
from incubator.reminders import notices
from incubator.reports import dashboards
from incubator.reports.views import worker_home

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
@roles_required()
def home():
    if current_user.role == Role.SOCIAL_WORKER:
        return worker_home()
    if current_user.role == Role.ORG_LEADER:
        # her to-do (the read model) and her unread notices (reminders)
        return render_template(
            "main/leader_home.html",
            home=dashboards.leader_home(current_user),
            notices=notices.unread_notices(current_user),
            form=EmptyForm(),
        )
    return render_template(
        "main/home.html",
        home=dashboards.home(current_user),
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
