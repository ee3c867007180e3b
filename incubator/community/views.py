"""系统管理 → 社区: the communities, and on a community's page its compounds
(小区) and rooms (活动室), each added, renamed, moved and archived here.
Admins only; a community outside the admin's scope answers 404."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.community import services
from incubator.community.models import Community, Compound, Room
from incubator.community.schemas import (
    CommunityChange,
    CommunityCreate,
    CompoundChange,
    CompoundEntry,
    RoomChange,
    RoomEntry,
)
from incubator.community.scope import in_scope, may_see_community
from incubator.extensions import db
from incubator.forms import EmptyForm, form_input
from incubator.transaction import flash_form_errors, run_and_flash

bp = Blueprint("communities_admin", __name__, url_prefix="/admin/communities")

PLACE = ("name", "street", "district", "city")


def _community_or_404(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None or not may_see_community(current_user, community.id):
        abort(404)
    return community


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _position(text: str | None):
    """A typed position: a whole number, or the text as typed (the schema says
    what is wrong with it)."""
    value = _whole(text)
    return value if value is not None else (text or "").strip() or None


@bp.route("")
@roles_required(Role.ADMIN)
def index():
    rows = db.session.scalars(
        select(Community)
        .where(in_scope(Community.id, current_user))
        .order_by(Community.archived_at.is_not(None), Community.position, Community.id)
    ).all()
    return render_template("admin/communities.html", communities=rows)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = EmptyForm()
    values = {key: request.form.get(key, "") for key in PLACE}
    if request.method == "POST":
        if not form.validate_on_submit():
            flash_form_errors(form)
        else:
            created: list[Community] = []
            if run_and_flash(
                lambda: created.append(
                    services.create_community(
                        form_input(
                            CommunityCreate,
                            **values,
                            position=_position(request.form.get("position")) or 0,
                        ),
                        actor=current_user,
                    )
                ),
                success=_("Community created."),
            ):
                return redirect(
                    url_for("communities_admin.community", community_id=created[0].id)
                )
    return render_template(
        "admin/community_form.html", values=values, form=form, community=None
    )


@bp.route("/<int:community_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def community(community_id: int):
    place = _community_or_404(community_id)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash_form_errors(form)
        else:
            sent: dict = {
                key: request.form[key] for key in PLACE if key in request.form
            }
            if "position" in request.form:
                sent["position"] = _position(request.form.get("position"))
            if request.form.get("archived") in ("0", "1"):
                sent["archived"] = request.form["archived"] == "1"
            if run_and_flash(
                lambda: services.change_community(
                    place, form_input(CommunityChange, **sent), actor=current_user
                ),
                success=_("Saved."),
            ):
                return redirect(url_for(".community", community_id=community_id))
            place = _community_or_404(community_id)
    return render_template(
        "admin/community.html",
        community=place,
        compounds=place.compounds,
        rooms=place.rooms,
        form=form,
    )


@bp.route("/<int:community_id>/compounds", methods=["POST"])
@roles_required(Role.ADMIN)
def add_compound(community_id: int):
    place = _community_or_404(community_id)
    form = EmptyForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: services.add_compound(
                place,
                form_input(
                    CompoundEntry,
                    name=request.form.get("name", ""),
                    position=_position(request.form.get("position")),
                ),
                actor=current_user,
            ),
            success=_("Compound added."),
        )
    else:
        flash_form_errors(form)
    return redirect(url_for(".community", community_id=community_id) + "#compounds")


@bp.route("/<int:community_id>/compounds/<int:compound_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def change_compound(community_id: int, compound_id: int):
    place = _community_or_404(community_id)
    compound = db.session.get(Compound, compound_id)
    if compound is None or compound.community_id != place.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        sent: dict = {}
        if "name" in request.form:
            sent["name"] = request.form["name"]
        if "position" in request.form:
            sent["position"] = _position(request.form.get("position"))
        if request.form.get("archived") in ("0", "1"):
            sent["archived"] = request.form["archived"] == "1"
        run_and_flash(
            lambda: services.change_compound(
                compound, form_input(CompoundChange, **sent), actor=current_user
            ),
            success=_("Saved."),
        )
    else:
        flash_form_errors(form)
    return redirect(url_for(".community", community_id=community_id) + "#compounds")


def _room_values(require_all: bool) -> dict:
    sent: dict = {}
    for key in ("name", "equipment"):
        if key in request.form:
            sent[key] = request.form[key]
    if "capacity" in request.form:
        text = request.form["capacity"].strip()
        sent["capacity"] = _whole(text) if _whole(text) is not None else (text or None)
    if "position" in request.form:
        sent["position"] = _position(request.form.get("position"))
    for key in ("opens_at", "closes_at"):
        if key in request.form:
            sent[key] = request.form[key].strip() or None
    if "needs_approval" in request.form or require_all:
        sent["needs_approval"] = request.form.get("needs_approval") == "1"
    if request.form.get("archived") in ("0", "1"):
        sent["archived"] = request.form["archived"] == "1"
    return sent


@bp.route("/<int:community_id>/rooms", methods=["POST"])
@roles_required(Role.ADMIN)
def add_room(community_id: int):
    place = _community_or_404(community_id)
    form = EmptyForm()
    if form.validate_on_submit():
        run_and_flash(
            lambda: services.add_room(
                place, form_input(RoomEntry, **_room_values(True)), actor=current_user
            ),
            success=_("Room added."),
        )
    else:
        flash_form_errors(form)
    return redirect(url_for(".community", community_id=community_id) + "#rooms")


@bp.route("/<int:community_id>/rooms/<int:room_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def change_room(community_id: int, room_id: int):
    place = _community_or_404(community_id)
    room = db.session.get(Room, room_id)
    if room is None or room.community_id != place.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        # a row's form sends its checkbox only when ticked: "edit" says it was shown
        values = _room_values(request.form.get("edit") == "1")
        run_and_flash(
            lambda: services.change_room(
                room, form_input(RoomChange, **values), actor=current_user
            ),
            success=_("Saved."),
        )
    else:
        flash_form_errors(form)
    return redirect(url_for(".community", community_id=community_id) + "#rooms")
