"""The admin page listing the audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from incubator import signals
from incubator.audit.models import AuditEntry
from incubator.audit.vocabulary import ACTION_LABELS, ENTITY_LABELS, readable
from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.forms import BaseForm
from incubator.paging import paginate
from incubator.security import MAX_ID

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PER_PAGE = 50


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), coerce=str, choices=[], default="")
    entity_type = SelectField(_l("Record type"), coerce=str, choices=[], default="")
    action = SelectField(_l("Action"), coerce=str, choices=[], default="")
    entity_id = StringField(_l("Record id"), validators=[Optional(), Length(max=12)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


def _local_midnight_utc(day) -> datetime:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=tz)


@bp.route("")
@roles_required(Role.ADMIN)
def index():
    # The trail names records of every community: only an all-communities
    # admin reads it (community answers whether the scope is limited).
    if any(signals.values(signals.scope_limited.send(current_user))):
        abort(403)
    form = AuditFilterForm(request.args)
    users = db.session.execute(
        select(User.id, User.name, User.username).order_by(User.username)
    ).all()
    form.actor.choices = [SelectChoice("", _l("Everyone"))] + [
        SelectChoice(str(u.id), f"{u.name} ({u.username})") for u in users
    ]
    form.entity_type.choices = [SelectChoice("", _l("All"))] + sorted(
        (SelectChoice(key, str(label)) for key, label in ENTITY_LABELS.items()),
        key=lambda choice: choice.label,
    )
    form.action.choices = [SelectChoice("", _l("All"))] + [
        SelectChoice(key, str(label)) for key, label in ACTION_LABELS.items()
    ]
    query = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if form.validate():
        if form.actor.data:
            query = query.where(AuditEntry.actor_id == int(form.actor.data))
        if form.entity_type.data:
            query = query.where(AuditEntry.entity_type == form.entity_type.data)
        if form.action.data:
            query = query.where(AuditEntry.action == form.action.data)
        entity_id = form.entity_id.data or ""
        if entity_id.isascii() and entity_id.isdigit() and int(entity_id) <= MAX_ID:
            query = query.where(AuditEntry.entity_id == int(entity_id))
        if form.since.data:
            query = query.where(AuditEntry.at >= _local_midnight_utc(form.since.data))
        if form.until.data:
            end = _local_midnight_utc(form.until.data) + timedelta(days=1)
            query = query.where(AuditEntry.at < end)
    page = paginate(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), PER_PAGE
    )
    return render_template(
        "audit/index.html", page=page, entries=readable(page.items), form=form
    )
