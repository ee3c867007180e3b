"""Micro-venture pages: the list and rounds, opening and editing a round, applying,
and a venture's page with its reviews, plan, spending and history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.extensions import db
from incubator.forms import form_input
from incubator.i18n import local_today
from incubator.organizations.access import org_scope
from incubator.organizations.models import FilingStatus, Organization
from incubator.paging import paginate
from incubator.security import id_arg, int_field
from incubator.transaction import submit_form
from incubator.ventures import rounds as round_services
from incubator.ventures import services, spending
from incubator.ventures.access import (
    REVIEWER_ROLES,
    ReviewView,
    get_visible_venture_or_404,
    may_apply_for,
    review_view,
)
from incubator.ventures.export import round_workbook
from incubator.ventures.forms import (
    ActionDoneForm,
    ExpenditureForm,
    MidtermForm,
    PlanActionForm,
    ReviewersForm,
    RoundForm,
    ScoreForm,
    TransitionForm,
    VentureForm,
    parse_lines,
)
from incubator.ventures.hooks import event_actor, event_note, event_title
from incubator.ventures.models import (
    STATE_LABELS,
    Expenditure,
    PlanAction,
    State,
    Venture,
    VentureEvent,
    VentureReview,
    VentureRound,
)
from incubator.ventures.queries import venture_view, ventures_query
from incubator.ventures.reviews import score_of, scores_for
from incubator.ventures.schemas import (
    DEFAULT_CRITERIA,
    RoundChange,
    RoundSchedule,
    VentureApplication,
    VentureChange,
    criteria_rows,
    line_items,
    round_dates,
)
from incubator.volunteers.access import manageable_organizations

bp = Blueprint("ventures", __name__, url_prefix="/ventures")

PER_PAGE = 25
STAFF = (Role.ADMIN, Role.SOCIAL_WORKER)
APPLICANTS = (Role.ADMIN, Role.SOCIAL_WORKER, Role.ORG_LEADER)


def _round_or_404(round_id: int) -> VentureRound:
    found = db.session.get(VentureRound, round_id)
    if found is None:
        abort(404)
    return found


def _rows(ventures: Sequence[Venture]) -> list[dict]:
    """What a list shows per venture: score and spending, in two queries."""
    ids = [v.id for v in ventures]
    scores, spent = scores_for(ids), spending.spent_by_venture(ids)
    pending = set(
        db.session.scalars(
            select(VentureReview.venture_id).where(
                VentureReview.venture_id.in_(ids or [0]),
                VentureReview.reviewer_id == current_user.id,
                VentureReview.submitted_at.is_(None),
            )
        )
    )
    return [
        {
            "venture": v,
            "score": scores.get(v.id),
            "spent": spent.get(v.id),
            # Scores are blind until the decision, except to the project lead.
            "show_score": v.id not in pending
            and (current_user.role == Role.ADMIN or v.state in _DECIDED),
        }
        for v in ventures
    ]


_DECIDED = {s.value for s in State} - {State.APPLIED, State.REVIEWING}


@bp.route("")
@roles_required()
def index():
    state = request.args.get("state")
    if state not in {s.value for s in State}:
        state = None
    query = ventures_query(
        current_user,
        round_id=id_arg(request.args.get("round")),
        organization_id=id_arg(request.args.get("organization")),
        state=state,
    )
    page = paginate(query, PER_PAGE)
    all_rounds = db.session.scalars(
        select(VentureRound).order_by(VentureRound.opens_on.desc())
    ).all()
    to_review: Sequence[Venture] = []
    if current_user.role in REVIEWER_ROLES:
        to_review = db.session.scalars(
            select(Venture)
            .join(VentureReview, VentureReview.venture_id == Venture.id)
            .where(
                VentureReview.reviewer_id == current_user.id,
                VentureReview.submitted_at.is_(None),
                Venture.state == State.REVIEWING,
            )
            .options(joinedload(Venture.organization))
            .order_by(Venture.id)
        ).all()
    return render_template(
        "ventures/index.html",
        page=page,
        rows=_rows(list(page.items)),
        rounds=all_rounds,
        to_review=to_review,
        today=local_today(),
        state=state,
        states=STATE_LABELS,
    )


def _criteria_text(round_: VentureRound | None) -> str:
    rows = (
        [(c.name, c.weight) for c in round_.criteria]
        if round_
        else list(DEFAULT_CRITERIA)
    )
    return "\n".join(f"{name} {weight}" for name, weight in rows)


def _round_values(form: RoundForm) -> dict:
    criteria = [
        (name, int(weight) if weight.isascii() and weight.isdigit() else -1)
        for name, weight in parse_lines(form.criteria.data, "criteria")
    ]
    days = {
        "opens_on": form.opens_on.data,
        "closes_on": form.closes_on.data,
        "runs_from": form.runs_from.data,
        "runs_until": form.runs_until.data,
    }
    # The days' and criteria's own rules first, in their words rather than the
    # model's limits'.
    round_dates(days)
    rows = criteria_rows(criteria)
    return {
        "name": form.name.data,
        "budget": form.budget.data,
        **days,
        "description": form.description.data or "",
        "criteria": [{"name": name, "weight": weight} for name, weight in rows],
    }


@bp.route("/rounds/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_round():
    form = RoundForm()
    if request.method == "GET":
        form.criteria.data = _criteria_text(None)
    if form.validate_on_submit():
        saved, round_ = submit_form(
            form,
            lambda: round_services.create_round(
                form_input(RoundSchedule, **_round_values(form)), actor=current_user
            ),
        )
        if saved and round_ is not None:
            flash(_("Round opened."), "success")
            return redirect(url_for("ventures.round_detail", round_id=round_.id))
    return render_template("ventures/round_form.html", form=form, round=None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_round(round_id: int):
    round_ = _round_or_404(round_id)
    form = RoundForm(obj=round_ if request.method == "GET" else None)
    if request.method == "GET":
        form.criteria.data = _criteria_text(round_)
        form.budget.data = f"{round_.budget:.2f}"
    if form.validate_on_submit():
        saved, _round = submit_form(
            form,
            lambda: round_services.update_round(
                round_,
                form_input(
                    RoundChange,
                    # No version (a tampered form) matches none: versions start at 1.
                    version=int_field(form.version.data) or 0,
                    **_round_values(form),
                ),
                actor=current_user,
            ),
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("ventures.round_detail", round_id=round_.id))
    return render_template("ventures/round_form.html", form=form, round=round_)


def _round_page_data(round_: VentureRound) -> dict:
    ventures = (
        db.session.scalars(ventures_query(current_user, round_id=round_.id))
        .unique()
        .all()
    )
    rows = _rows(ventures)
    committed = round_services.committed_amount(round_.id)
    return {
        "rows": rows,
        "committed": committed,
        "remaining": round_.budget - committed,
        "spent": sum((r["spent"] or 0 for r in rows), 0),
    }


@bp.route("/rounds/<int:round_id>")
@roles_required()
def round_detail(round_id: int):
    round_ = db.session.scalar(
        select(VentureRound)
        .where(VentureRound.id == round_id)
        .options(selectinload(VentureRound.criteria))
    )
    if round_ is None:
        abort(404)
    today = local_today()
    return render_template(
        "ventures/round.html",
        round=round_,
        open_now=round_.opens_on <= today <= round_.closes_on,
        may_apply=bool(manageable_organizations(current_user))
        and current_user.role in APPLICANTS,
        **_round_page_data(round_),
    )


@bp.route("/rounds/<int:round_id>/export.xlsx")
@roles_required()
def export_round(round_id: int):
    round_ = _round_or_404(round_id)
    return round_workbook(round_, _round_page_data(round_)["rows"])


def _sponsor_choices(exclude: int | None) -> list[SelectChoice]:
    rows = db.session.execute(
        select(Organization.id, Organization.name)
        .where(
            Organization.filing_status != FilingStatus.NONE,
            Organization.archived_at.is_(None),
            Organization.id != (exclude or 0),
            org_scope(current_user),
        )
        .order_by(Organization.name)
    ).all()
    return [SelectChoice("", _("(none)"))] + [
        SelectChoice(str(r.id), r.name) for r in rows
    ]


def _application_values(form: VentureForm) -> dict:
    lines = parse_lines(form.budget_lines.data, "budget_lines")
    # The lines' own rules first, in their words rather than the model's limits'.
    line_items(lines)
    return {
        "title": form.title.data,
        "target_group": form.target_group.data,
        "need": form.need.data,
        "planned_activities": form.planned_activities.data,
        "expected_outputs": form.expected_outputs.data,
        "requested_amount": form.requested_amount.data,
        "budget_lines": [{"item": item, "amount": amount} for item, amount in lines],
        "sponsor_id": form.sponsor_id.data or None,
    }


@bp.route("/rounds/<int:round_id>/apply", methods=["GET", "POST"])
@roles_required(*APPLICANTS)
def apply(round_id: int):
    round_ = _round_or_404(round_id)
    orgs = manageable_organizations(current_user)
    wanted = id_arg(request.values.get("org"))
    org = next((o for o in orgs if o.id == wanted), None)
    if org is None and wanted:
        abort(404)
    if org is None and len(orgs) == 1:
        org = orgs[0]
    if org is None:
        return render_template("ventures/choose_org.html", orgs=orgs, round=round_)
    form = VentureForm()
    form.sponsor_id.choices = _sponsor_choices(org.id)
    if request.method == "GET":
        form.submission_key.data = uuid.uuid4().hex
    if form.validate_on_submit():
        saved, venture = submit_form(
            form,
            lambda: services.apply(
                round_,
                org,
                form_input(
                    VentureApplication,
                    round_id=round_.id,
                    organization_id=org.id,
                    submission_key=form.submission_key.data or None,
                    **_application_values(form),
                ),
                actor=current_user,
            ),
        )
        if saved and venture is not None:
            flash(_("Application submitted."), "success")
            return redirect(url_for("ventures.detail", venture_id=venture.id))
    return render_template(
        "ventures/form.html", form=form, org=org, round=round_, venture=None
    )


@bp.route("/<int:venture_id>/edit", methods=["GET", "POST"])
@roles_required(*APPLICANTS)
def edit(venture_id: int):
    venture = get_visible_venture_or_404(current_user, venture_id)
    if not may_apply_for(current_user, venture.organization):
        abort(403)
    form = VentureForm(obj=venture if request.method == "GET" else None)
    form.sponsor_id.choices = _sponsor_choices(venture.organization_id)
    if request.method == "GET":
        form.requested_amount.data = f"{venture.requested_amount:.2f}"
        form.sponsor_id.data = str(venture.sponsor_id or "")
        form.budget_lines.data = "\n".join(
            f"{line.item} {line.amount:.2f}" for line in venture.budget_lines
        )
    if form.validate_on_submit():
        saved, _venture = submit_form(
            form,
            lambda: services.update_application(
                venture,
                form_input(
                    VentureChange,
                    # No version (a tampered form) matches none: versions start at 1.
                    version=int_field(form.version.data) or 0,
                    **_application_values(form),
                ),
                actor=current_user,
            ),
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("ventures.detail", venture_id=venture.id))
    return render_template(
        "ventures/form.html",
        form=form,
        org=venture.organization,
        round=venture.round,
        venture=venture,
    )


@bp.route("/<int:venture_id>")
@roles_required()
def detail(venture_id: int):
    venture = db.session.scalar(
        select(Venture)
        .where(Venture.id == venture_id)
        .options(
            joinedload(Venture.organization).joinedload(Organization.social_worker),
            joinedload(Venture.round).selectinload(VentureRound.criteria),
            joinedload(Venture.sponsor),
            selectinload(Venture.budget_lines),
        )
    )
    if venture is None:
        abort(404)
    venture = get_visible_venture_or_404(current_user, venture.id)
    reviews = db.session.scalars(
        select(VentureReview)
        .where(VentureReview.venture_id == venture.id)
        .options(joinedload(VentureReview.reviewer), selectinload(VentureReview.scores))
        .order_by(VentureReview.id)
    ).all()
    mine = next((r for r in reviews if r.reviewer_id == current_user.id), None)
    view = review_view(current_user, venture, mine)
    actions = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.venture_id == venture.id)
        .order_by(PlanAction.removed_at.is_not(None), PlanAction.due_on, PlanAction.id)
    ).all()
    expenditures = db.session.scalars(
        select(Expenditure)
        .where(Expenditure.venture_id == venture.id)
        .options(joinedload(Expenditure.recorded_by))
        .order_by(Expenditure.spent_on, Expenditure.id)
    ).all()
    history = db.session.scalars(
        select(VentureEvent)
        .where(VentureEvent.venture_id == venture.id)
        .options(joinedload(VentureEvent.actor))
        .order_by(VentureEvent.at, VentureEvent.id)
    ).all()
    shown = venture_view(current_user, venture)
    reviewer_choices: Sequence[Any] = []
    if current_user.role == Role.ADMIN:
        reviewer_choices = db.session.execute(
            select(User.id, User.name, User.role)
            .where(User.role.in_([str(r) for r in REVIEWER_ROLES]), User.active)
            .order_by(User.name)
        ).all()
    reviewers_form = ReviewersForm(reviewer_ids=[r.reviewer_id for r in reviews])
    reviewers_form.reviewer_ids.choices = [
        SelectChoice(u.id, u.name) for u in reviewer_choices
    ]
    transition_form = TransitionForm(version=venture.version)
    if venture.state == State.REVIEWING:
        transition_form.approved_amount.data = f"{venture.requested_amount:.2f}"
    return render_template(
        "ventures/detail.html",
        venture=venture,
        reviews=reviews if view == ReviewView.ALL else [mine] if mine else [],
        mine=mine,
        view=view,
        score=score_of(venture.id),
        actions=actions,
        expenditures=expenditures,
        spent=shown.spent,
        balance=shown.balance,
        history=[
            (
                e,
                event_title(e, venture.title),
                event_note(e, current_user),
                event_actor(e, current_user),
            )
            for e in history
        ],
        criterion_names={c.id: c.name for c in venture.round.criteria},
        next_states=shown.next_states,
        # the next states the workflow lets this user move it to (the buttons)
        moves=shown.moves,
        today=local_today(),
        may_edit=shown.may_edit,
        may_spend=shown.may_spend,
        reviewers_form=reviewers_form,
        score_form=ScoreForm(),
        transition_form=transition_form,
        midterm_form=MidtermForm(checked_on=local_today()),
        action_form=PlanActionForm(),
        done_form=ActionDoneForm(),
        expenditure_form=ExpenditureForm(spent_on=local_today()),
    )
