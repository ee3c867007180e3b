"""Registry pages: the list, the pipeline board, my caseload, the Excel export and
registering an organization."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.community.models import Compound
from incubator.community.scope import in_scope, scope_communities, users_sharing_scope
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import form_input
from incubator.i18n import local_date, local_today
from incubator.organizations import services
from incubator.organizations.access import org_scope
from incubator.organizations.caseload import caseload_rows
from incubator.organizations.export import organizations_workbook
from incubator.organizations.forms import OrganizationFilterForm, OrganizationForm
from incubator.organizations.incubation import stages
from incubator.organizations.models import Organization
from incubator.organizations.queries import (
    BoardCard,
    OrganizationView,
    board_columns,
    organizations_query,
)
from incubator.organizations.schemas import OrganizationRegistration
from incubator.paging import paginate, requested_page
from incubator.periods import months_between
from incubator.security import id_arg

bp = Blueprint("organizations", __name__, url_prefix="/organizations")

PER_PAGE = 25
CASELOAD_CAP = 50  # caseload rows on one page
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
READERS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.VIEWER)


def compound_choices(blank, user=None) -> list[SelectChoice]:
    """The compounds in ``user``'s scope (default: the signed-in user)."""
    rows = db.session.scalars(
        select(Compound)
        .where(in_scope(Compound.community_id, user or current_user))
        .order_by(Compound.position)
    ).all()
    return [SelectChoice("", blank)] + [SelectChoice(str(c.id), c.name) for c in rows]


def user_choices(roles, blank) -> list[SelectChoice]:
    rows = db.session.execute(
        select(User.id, User.name)
        .where(
            User.role.in_([str(r) for r in roles]),
            User.active.is_(True),
            users_sharing_scope(current_user),
        )
        .order_by(User.name)
    ).all()
    return [SelectChoice("", blank)] + [SelectChoice(str(r.id), r.name) for r in rows]


EVERYONE = "all"


@dataclass(frozen=True)
class CaseloadFilter:
    """Whose caseload a calendar or board shows: ``sw_id`` (``None``: everyone
    the user may see), the query argument that carries it (``?sw=ID``, or
    ``all`` for everyone) and the choices of its drop-down (``[]`` for an
    organization leader, who sees only her own organizations anyway)."""

    arg: str
    sw_id: int | None
    choices: list[SelectChoice]

    @property
    def value(self) -> str:
        return str(self.sw_id) if self.sw_id else EVERYONE

    @property
    def label(self) -> str:
        """What the page shows, in words: "林社工's caseload" or "Everyone"."""
        for choice in self.choices:
            if choice.value == self.value:
                return str(choice.label)
        return str(_("Everyone"))

    def url_args(self) -> dict[str, str]:
        return {self.arg: self.value}


def caseload_filter(arg: str = "sw") -> CaseloadFilter:
    """The caseload filter of the request: ``?<arg>=ID`` a social worker's
    organizations, ``?<arg>=all`` everyone's; by default a social worker sees her
    own caseload, admins and viewers everyone's (the pages cap each day or column,
    so "everyone" stays a screenful)."""
    raw = request.args.get(arg, "")
    sw_id: int | None
    if raw == EVERYONE:
        sw_id = None
    elif raw:
        sw_id = id_arg(raw)
    else:
        sw_id = current_user.id if current_user.role == Role.SOCIAL_WORKER else None
    if current_user.role == Role.ORG_LEADER:
        return CaseloadFilter(arg, None, [])
    choices = user_choices(STAFF, _("Everyone"))
    choices[0] = SelectChoice(EVERYONE, _("Everyone"))
    return CaseloadFilter(arg, sw_id, choices)


def _filter_form() -> OrganizationFilterForm:
    form = OrganizationFilterForm(request.args)
    form.stage.choices = [SelectChoice("", _("All stages"))] + [
        SelectChoice(s.key, s.label) for s in stages()
    ]
    form.compound.choices = compound_choices(_("All compounds"))
    form.social_worker.choices = user_choices(STAFF, _("All social workers"))
    return form


def _filtered_query(form: OrganizationFilterForm):
    valid = form.validate()

    def value(field):
        return field.data if valid and field.data else None

    return organizations_query(
        current_user,
        q=value(form.q),
        stage=value(form.stage),
        kind=value(form.kind),
        compound_id=int(value(form.compound)) if value(form.compound) else None,
        social_worker_id=int(value(form.social_worker))
        if value(form.social_worker)
        else None,
        archived=bool(value(form.archived)),
        sort=value(form.sort) or "name",
    )


@bp.route("")
@roles_required()
def index():
    form = _filter_form()
    page = paginate(_filtered_query(form), PER_PAGE)
    return render_template(
        "organizations/index.html",
        form=form,
        page=page,
        # Each row's compound as the API resource has it.
        orgs=[OrganizationView(org) for org in page.items],
        stage_labels={s.key: s.label for s in stages()},
    )


@bp.route("/export.xlsx")
@roles_required(*READERS)
def export():
    form = _filter_form()
    orgs = db.session.scalars(_filtered_query(form)).unique().all()
    return organizations_workbook(orgs)


@bp.route("/board")
@roles_required(*READERS)
def board():
    """The stages side by side, each with its COLUMN_CAP organizations longest in
    it and "+N more" to the list of that stage; a social worker's own caseload
    by default (``?social_worker=all`` for everyone)."""
    who = caseload_filter("social_worker")
    cards, totals = board_columns(current_user, social_worker_id=who.sw_id)
    today = local_today()
    columns: dict[str, list[tuple[BoardCard, int]]] = {
        s.key: [
            (card, months_between(local_date(card.stage_since), today))
            for card in cards.get(s.key, ())
        ]
        for s in stages()
    }
    return render_template(
        "organizations/board.html",
        who=who,
        columns=columns,
        totals=totals,
        stage_list=stages(),
    )


@bp.route("/caseload")
@roles_required(*STAFF)
def caseload():
    """A social worker sees their own caseload; an admin everyone's, or one
    social worker's with ``?social_worker=ID``."""
    if current_user.role == Role.SOCIAL_WORKER:
        sw_id = current_user.id
    else:
        sw_id = id_arg(request.args.get("social_worker"))
    query = organizations_query(current_user, social_worker_id=sw_id)
    workers: list = []
    page = None
    if sw_id:
        # One caseload: silent ones first, CASELOAD_CAP rows, the rest listed.
        orgs = db.session.scalars(query.limit(CASELOAD_CAP + 1)).unique().all()
        total = len(orgs)
        if total > CASELOAD_CAP:
            total = (
                db.session.scalar(
                    select(func.count()).select_from(query.order_by(None).subquery())
                )
                or 0
            )
            orgs = orgs[:CASELOAD_CAP]
        rows = caseload_rows(orgs)
        rows.sort(key=lambda r: (not r.silent, r.org.name))
    else:
        # Everyone's: how many each social worker carries, then a page of rows.
        workers = list(
            db.session.execute(
                select(User.id, User.name, func.count(Organization.id))
                .select_from(Organization)
                .outerjoin(User, User.id == Organization.social_worker_id)
                .where(org_scope(current_user), Organization.archived_at.is_(None))
                .group_by(User.id, User.name)
                .order_by(User.name)
            )
        )
        page = db.paginate(
            query,
            page=requested_page(),
            per_page=CASELOAD_CAP,
            max_per_page=CASELOAD_CAP,
            error_out=False,
            count=False,
        )
        # The caseloads add up to the total: no second COUNT.
        page.total = total = sum(n for _id, _name, n in workers)
        rows = caseload_rows(page.items)
    return render_template(
        "organizations/caseload.html",
        rows=rows,
        total=total,
        page=page,
        workers=workers,
        sw_id=sw_id,
        sw_choices=user_choices(STAFF, _("Everyone"))
        if current_user.role == Role.ADMIN
        else None,
        stage_labels={s.key: s.label for s in stages()},
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    form = OrganizationForm()
    places = scope_communities(current_user)
    if len(places) > 1:
        form.community_id.choices = [SelectChoice("", _("(from the compound)"))] + [
            SelectChoice(str(p.id), p.name) for p in places
        ]
    _fill_choices(form)
    if request.method == "GET" and current_user.role == Role.SOCIAL_WORKER:
        form.social_worker_id.data = current_user.id
    if form.validate_on_submit():
        try:
            values = _values(form)
            if "community_id" in form._fields:
                values["community_id"] = form.community_id.data
            org = services.create_organization(
                form_input(OrganizationRegistration, **values),
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            flash(_("%(name)s is registered at stage 萌芽.", name=org.name), "success")
            return redirect(url_for("organizations.detail", org_id=org.id))
    return render_template("organizations/form.html", form=form, org=None)


def _fill_choices(form: OrganizationForm) -> None:
    if "community_id" in form._fields and not form.community_id.choices:
        del form.community_id  # one community to choose from: nothing to ask
    form.compound_id.choices = compound_choices(_("(none)"))
    form.leader_user_id.choices = user_choices([Role.ORG_LEADER], _("(none)"))
    form.social_worker_id.choices = user_choices(STAFF, _("(none)"))


def _values(form) -> dict:
    values = {
        name: form[name].data
        for name in services.EDITABLE_FIELDS
        if name in form._fields
    }
    # Left empty (or not posted): none counted yet, no description.
    if "member_count" in values and values["member_count"] is None:
        values["member_count"] = 0
    if "description" in values and values["description"] is None:
        values["description"] = ""
    return values
