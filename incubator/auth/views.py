"""Logging in and out, and changing one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from incubator.auth import services, sessions
from incubator.auth.forms import LoginForm, PasswordChangeForm
from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.errors import TooManyAttempts, ValidationFailed
from incubator.extensions import db, login_manager
from incubator.forms import EmptyForm
from incubator.transaction import commit_now

bp = Blueprint("auth", __name__)

SESSION_KEY = "sid"
# 大字 mode for whoever is not logged in (the login page), and the last choice made
# on this browser. A logged-in user's own choice (User.large_text) wins.
LARGE_TEXT_COOKIE = "large_text"
ONE_YEAR = 365 * 24 * 3600


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return sessions.load_session_user(session.get(SESSION_KEY), user_id)


def safe_next(target: str | None) -> str:
    """Only a local path; anything else goes home."""
    if target and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            if not target.startswith("//") and "\\" not in target:
                return target
    return url_for("main.home")


def _sign_in(user: User, *, remember: bool) -> None:
    session.clear()
    key = sessions.start_session(
        user,
        remember=remember,
        user_agent=request.user_agent.string,
        ip=request.remote_addr or "",
    )
    login_user(user)
    session[SESSION_KEY] = key
    session.permanent = remember


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            user = sessions.authenticate(
                form.username.data, form.password.data, ip=request.remote_addr or ""
            )
        except TooManyAttempts as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            status = 429
        except ValidationFailed as exc:
            # Deliberate: the failed attempt counts toward the login throttle
            # although the login is refused (PITFALLS: counter in the database).
            commit_now()
            form.show_domain_error(exc)
        else:
            _sign_in(user, remember=bool(form.remember.data))
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Anyone may post here: a session that already ended just goes to login."""
    if not current_user.is_authenticated:
        session.clear()
        return redirect(url_for("auth.login"))
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end_session(session.get(SESSION_KEY), actor=current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    response = redirect(url_for("auth.login"))
    # The phone keeps nothing of this user: activity logs not yet sent, the cached
    # activity form (cookies stay: the flash above and the language live there).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required()
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_own_password(
                user, form.current_password.data, form.new_password.data
            )
        except ValidationFailed as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            # Every other session has ended; this browser continues in a new one,
            # committed with the new password as one unit of work.
            _sign_in(user, remember=bool(session.permanent))
            flash(
                _("Your password has been changed. Other devices are logged out."),
                "success",
            )
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


def large_text_on() -> bool:
    """Whether this request's pages are shown in 大字 (large text) mode; never for
    an email rendered by a job (no request)."""
    if not has_request_context():
        return False
    if current_user.is_authenticated:
        return bool(current_user.large_text)
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


@bp.app_context_processor
def _large_text_context():
    return {"large_text": large_text_on()}


@bp.route("/display/large-text", methods=["POST"])
def large_text():
    """The 大字/standard switch of every page: kept on the user when logged in (and
    audited), and in a cookie so the login page follows too. Back where it was."""
    response = redirect(safe_next(request.form.get("next")))
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and send it again."), "warning")
        return response
    on = request.form.get("on") == "1"
    if current_user.is_authenticated:
        services.set_large_text(
            current_user._get_current_object(), on, actor=current_user
        )
    response.set_cookie(
        LARGE_TEXT_COOKIE,
        "1" if on else "0",
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
    )
    return response
