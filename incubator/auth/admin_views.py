"""Admin pages for user accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from incubator import signals
from incubator.auth import services
from incubator.auth.forms import (
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.forms import EmptyForm
from incubator.paging import paginate
from incubator.transaction import run_and_flash, submit_form

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 30


def _organization_choices() -> list[SelectChoice]:
    """The organizations an account may lead, asked of organizations (above auth)."""
    return [
        SelectChoice(org_id, name)
        for _receiver, answer in signals.leadable_organizations.send(current_user)
        for org_id, name in answer
    ]


def _community_choices() -> list[SelectChoice]:
    """The communities the admin may give a scope of, asked of community."""
    return [
        SelectChoice(community_id, name)
        for _receiver, answer in signals.scope_choices.send(current_user)
        for community_id, name in answer
    ]


def _scopes(user_ids: list[int]) -> dict[int, tuple[list[int], list[str]]]:
    """``{user_id: (community ids, names)}``; a user missing serves every community."""
    found: dict[int, tuple[list[int], list[str]]] = {}
    for answer in signals.values(signals.user_scopes.send(user_ids=user_ids)):
        found.update(answer)
    return found


def _visible():
    """The accounts the admin may administer (asked of community)."""
    return and_(true(), *signals.values(signals.visible_users.send(current_user)))


def _user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id, _visible()))
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    form = UserFilterForm(request.args)
    query = select(User).options(selectinload(User.led_organizations)).where(_visible())
    if form.validate():
        if form.q.data:
            needle = form.q.data.lower()
            query = query.where(
                or_(
                    func.lower(User.username).contains(needle, autoescape=True),
                    func.lower(User.name).contains(needle, autoescape=True),
                )
            )
        if form.role.data:
            query = query.where(User.role == form.role.data)
        if form.active.data:
            query = query.where(User.active.is_(form.active.data == "1"))
    page = paginate(
        query.order_by(User.active.desc(), User.role, User.username), PER_PAGE
    )
    scopes = _scopes([user.id for user in page.items])
    return render_template(
        "admin/users.html",
        page=page,
        form=form,
        toggle_form=EmptyForm(),
        scopes={uid: names for uid, (_ids, names) in scopes.items()},
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserCreateForm()
    form.organization_ids.choices = _organization_choices()
    form.community_ids.choices = _community_choices()
    if form.validate_on_submit():
        saved, user = submit_form(
            form,
            lambda: services.create_user(
                form.username.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                organization_ids=form.organization_ids.data or [],
                community_ids=form.community_ids.data or [],
                actor=current_user,
            ),
        )
        if saved and user is not None:
            flash(_("User %(u)s created.", u=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    form.organization_ids.choices = _organization_choices()
    form.community_ids.choices = _community_choices()
    if request.method == "GET":
        form.organization_ids.data = [o.id for o in user.led_organizations]
        form.community_ids.data = _scopes([user.id]).get(user.id, ([], []))[0]
    if form.validate_on_submit():
        saved, _user = submit_form(
            form,
            lambda: services.update_user(
                user,
                actor=current_user,
                name=form.name.data,
                role=form.role.data,
                organization_ids=form.organization_ids.data or [],
                community_ids=form.community_ids.data or [],
                expected_version=form.version.data,
            ),
        )
        if saved:
            flash(_("User %(u)s saved.", u=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        saved, _reset = submit_form(
            form,
            lambda: services.reset_password(
                user, form.password.data, actor=current_user
            ),
        )
        if saved:
            flash(
                _(
                    "New password set for %(u)s; their sessions have ended.",
                    u=user.username,
                ),
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template("admin/user_password.html", form=form, user=user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def user_active(user_id: int):
    user = _user_or_404(user_id)
    form = EmptyForm()
    if form.validate_on_submit() and run_and_flash(
        services.set_active, user, not user.active, actor=current_user
    ):
        message = (
            _("%(u)s can log in again.", u=user.username)
            if user.active
            else _("%(u)s is deactivated and logged out everywhere.", u=user.username)
        )
        flash(message, "success")
    return redirect(url_for("admin.users"))
