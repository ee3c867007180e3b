"""The notification centre (the bell, the list, mark read), each user's reminder
settings (channels per kind, their email address), and the admin page of
scheduled jobs and the outbox (提醒与任务)."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.database import immediate, utcnow
from incubator.extensions import db
from incubator.forms import EmptyForm
from incubator.paging import paginate
from incubator.periods import month_range
from incubator.reminders import channels, jobs, outbox, preferences
from incubator.reminders.models import (
    CHANNEL_LABELS,
    DELIVERY_STATE_LABELS,
    KIND_LABELS,
    Delivery,
    JobRun,
    Reminder,
)
from incubator.transaction import commit_now, run_and_flash

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
admin_bp = Blueprint("reminders_admin", __name__, url_prefix="/admin/reminders")


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return (
        db.session.scalar(
            select(func.count(Reminder.id)).where(
                Reminder.recipient_id == current_user.id, Reminder.read_at.is_(None)
            )
        )
        or 0
    )


@bp.route("")
@roles_required()
def index():
    query = (
        select(Reminder)
        .where(Reminder.recipient_id == current_user.id)
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )
    return render_template(
        "notifications/index.html", page=paginate(query, 20), form=EmptyForm()
    )


@bp.route("/<int:reminder_id>/read", methods=["POST"])
@roles_required()
def mark_read(reminder_id: int):
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.recipient_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit() and reminder.read_at is None:
        reminder.read_at = utcnow()
    target = request.form.get("go")
    if target == "link" and reminder.link:
        return redirect(reminder.link)
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@roles_required()
def mark_all_read():
    if EmptyForm().validate_on_submit():
        db.session.execute(
            update(Reminder)
            .where(Reminder.recipient_id == current_user.id, Reminder.read_at.is_(None))
            .values(read_at=utcnow())
        )
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required()
def settings():
    user = db.session.get_one(User, current_user.id)
    kinds = preferences.kinds_for(user)
    if request.method == "POST" and EmptyForm().validate_on_submit():
        choices = {
            kind: (
                request.form.get(f"{kind}-email") == "1",
                request.form.get(f"{kind}-wecom") == "1",
            )
            for kind in kinds
        }
        email = request.form.get("email") or ""
        if (
            run_and_flash(
                preferences.save_preferences,
                user,
                email=email,
                choices=choices,
                success=_("Saved."),
            )
            and not email.strip()
            and any(e for e, _w in choices.values())
        ):
            flash(_("Email is ticked but no address is given."), "warning")
        return redirect(url_for("notifications.settings"))
    prefs = preferences.preferences_of(user)
    return render_template(
        "notifications/settings.html",
        kinds=kinds,
        prefs=prefs,
        labels=KIND_LABELS,
        email_on=channels.email_configured(),
        wecom_on=channels.wecom_configured(),
        staff=current_user.role in (Role.ADMIN, Role.SOCIAL_WORKER),
        form=EmptyForm(),
    )


# ---- the admin page ----


@admin_bp.route("", endpoint="index")
@roles_required(Role.ADMIN)
def admin_index():
    now = utcnow()
    # The scheduler (above reminders) answers with its jobs and their next runs.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    schedule = signals.scheduled_jobs.send(app, now=now)
    scheduled, next_runs = schedule[0][1] if schedule else ([], {})
    runs = {r.job: r for r in db.session.scalars(select(JobRun))}
    state = request.args.get("state")
    query = (
        select(Delivery)
        .options(joinedload(Delivery.reminder).joinedload(Reminder.recipient))
        .order_by(Delivery.id.desc())
    )
    if state in DELIVERY_STATE_LABELS:
        query = query.where(Delivery.state == state)
    reminders = (
        paginate(
            select(Reminder)
            .options(joinedload(Reminder.recipient), joinedload(Reminder.deliveries))
            .order_by(Reminder.created_at.desc(), Reminder.id.desc()),
            30,
        )
        if state not in DELIVERY_STATE_LABELS
        else None
    )
    deliveries = paginate(query, 30) if state in DELIVERY_STATE_LABELS else None
    return render_template(
        "admin/reminders.html",
        jobs=scheduled,
        runs=runs,
        stale=now - timedelta(hours=1),
        next_runs=next_runs,
        reminders=reminders,
        deliveries=deliveries,
        state=state,
        states=DELIVERY_STATE_LABELS,
        kind_labels=KIND_LABELS,
        channel_labels=CHANNEL_LABELS,
        period=jobs.current_period(),
        email_on=channels.email_configured(),
        wecom_on=channels.wecom_configured(),
        form=EmptyForm(),
    )


@admin_bp.route("/send", methods=["POST"])
@roles_required(Role.ADMIN)
def send_now():
    """Record this month's (or a chosen month's) reminders now and deliver a
    first batch; the scheduler delivers the rest."""
    if EmptyForm().validate_on_submit():
        month = request.form.get("month") or None
        if month and month_range(month) is None:
            flash(_("A month as YYYY-MM."), "danger")
            return redirect(url_for("reminders_admin.index"))
        if month and jobs.is_future(month):
            flash(_("That month has not begun yet."), "danger")
            return redirect(url_for("reminders_admin.index"))
        # The job commits what it records; the audit entry is a second unit of
        # work, so it asks for the write lock itself.
        result = jobs.run_monthly(month, deliver=False)
        with immediate():
            audit.record_event(
                "send_reminders",
                "Reminder",
                actor=current_user,
                summary=f"{result.period}: {result.recorded}",
            )
            # Deliberate: a second unit of work after the job's own commit; it
            # ends here, inside immediate(), so it holds the write lock it took.
            commit_now()
        flash(
            _(
                "%(new)d new reminders recorded for %(period)s (%(due)d due in all); "
                "they are in the app now, and the scheduler sends email and WeCom "
                "within a minute.",
                new=result.recorded,
                period=result.period,
                due=len(result.drafts),
            ),
            "success",
        )
    return redirect(url_for("reminders_admin.index"))


@admin_bp.route("/deliveries/<int:delivery_id>/resend", methods=["POST"])
@roles_required(Role.ADMIN)
def resend(delivery_id: int):
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        if delivery.state not in ("failed",):
            flash(_("Only a failed delivery is sent again."), "danger")
        else:
            outbox.resend(delivery)
            audit.record("resend", delivery, actor=current_user)
            flash(_("Queued to be sent again."), "success")
    return redirect(url_for("reminders_admin.index", state="failed"))


def init_app(app) -> None:
    app.jinja_env.globals["unread_count"] = unread_count
