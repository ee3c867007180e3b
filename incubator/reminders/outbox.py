"""The outbox: recording reminders exactly once and delivering them after the
commit.

- ``record`` inserts every draft with ``ON CONFLICT DO NOTHING`` on the unique key
  (recipient, kind, period), then one delivery per chosen channel, also
  conflict-free. Running it twice, in two processes at once, or after a crash adds
  nothing the first run recorded.
- ``deliver_due`` claims one delivery at a time with a conditional UPDATE (only
  one process can move it from pending/retrying to sending), commits, sends, then
  records the outcome. A failure retries with backoff up to
  ``DELIVERY_MAX_ATTEMPTS`` and then shows as failed. A channel that says "too
  many" (WeCom errcode 45009, HTTP 429) is not a failure: the message waits for
  the next minute without spending an attempt, and the channel's other messages
  wait for the next run. A delivery found still
  "sending" long after its claim (the process died mid-send) is marked failed and
  not retried, so no second copy can go out; the admin can resend it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from incubator.auth.models import User
from incubator.auth.roles import STAFF_ROLES
from incubator.database import rowcount, utcnow
from incubator.extensions import Model, db
from incubator.reminders import channels
from incubator.reminders.compose import Draft
from incubator.reminders.models import (
    FALLBACK_KIND,
    Channel,
    Delivery,
    DeliveryState,
    Reminder,
    ReminderPreference,
)
from incubator.transaction import commit_now

logger = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=15)
WECOM_PER_MINUTE = 20


def _insert_ignoring_duplicates(model: type[Model], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            postgresql.insert(table).values(rows).on_conflict_do_nothing()
        )
    else:
        db.session.execute(sqlite.insert(table).values(rows).on_conflict_do_nothing())


def chosen_channels(
    users: Iterable[User], kinds: set[str]
) -> dict[tuple[int, str], list[Channel]]:
    """{(user id, kind): [channel, ...]} for channels that are configured."""
    ids = [u.id for u in users]
    # a kind never chosen follows its fallback kind's choice (FALLBACK_KIND)
    fallbacks = {FALLBACK_KIND[k]: k for k in kinds if k in FALLBACK_KIND}
    saved = db.session.scalars(
        select(ReminderPreference).where(
            ReminderPreference.user_id.in_(ids or [0]),
            ReminderPreference.kind.in_(set(kinds) | set(fallbacks)),
        )
    ).all()
    chosen = {(p.user_id, p.kind) for p in saved}
    prefs = [p for p in saved if p.kind in kinds] + [
        ReminderPreference(
            user_id=p.user_id, kind=fallbacks[p.kind], email=p.email, wecom=p.wecom
        )
        for p in saved
        if p.kind in fallbacks and (p.user_id, fallbacks[p.kind]) not in chosen
    ]
    email_on = channels.email_configured()
    wecom_on = channels.wecom_configured()
    # The WeCom group is the agency team's: residents' reminders never go there.
    staff = {u.id for u in users if u.role in STAFF_ROLES}
    result: dict[tuple[int, str], list[Channel]] = {}
    for pref in prefs:
        picked: list[Channel] = []
        if pref.email and email_on:
            # without an address it fails where the admin page shows it
            picked.append(Channel.EMAIL)
        if pref.wecom and wecom_on and pref.user_id in staff:
            picked.append(Channel.WECOM)
        result[(pref.user_id, pref.kind)] = picked
    return result


def record(drafts: list[Draft], period: str) -> int:
    """Record ``drafts`` for ``period`` and their deliveries; returns how many
    reminders were new. A fixed number of statements whatever the count."""
    if not drafts:
        return 0
    kinds = {d.kind for d in drafts}
    ids = sorted({d.recipient_id for d in drafts})

    def existing() -> set[tuple[int, str]]:
        return set(
            db.session.execute(
                select(Reminder.recipient_id, Reminder.kind).where(
                    Reminder.period == period,
                    Reminder.kind.in_(kinds),
                    Reminder.recipient_id.in_(ids),
                )
            ).all()
        )

    before = existing()
    now = utcnow()
    _insert_ignoring_duplicates(
        Reminder,
        [
            {
                "recipient_id": d.recipient_id,
                "kind": d.kind,
                "period": period,
                "title": str(d.title)[:200],
                "body": str(d.body),
                "link": d.link[:500],
                "created_at": now,
                "read_at": None,
            }
            for d in drafts
            if (d.recipient_id, d.kind) not in before
        ],
    )
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all()
    picked = chosen_channels(users, kinds)
    reminders = db.session.execute(
        select(Reminder.id, Reminder.recipient_id, Reminder.kind).where(
            Reminder.period == period,
            Reminder.kind.in_(kinds),
            Reminder.recipient_id.in_(ids),
        )
    ).all()
    # Deliveries for every reminder of the period, old ones included (a channel
    # chosen or set up since); the unique (reminder, channel) key keeps each one.
    _insert_ignoring_duplicates(
        Delivery,
        [
            {
                "reminder_id": rid,
                "channel": channel.value,
                "state": DeliveryState.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
            }
            for rid, user_id, kind in reminders
            for channel in picked.get((user_id, kind), [])
        ],
    )
    return len({(d.recipient_id, d.kind) for d in drafts} - before)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 120))


def release_stuck(now: datetime | None = None) -> int:
    """Deliveries left "sending" by a process that died: failed, not retried."""
    now = now or utcnow()
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.state == DeliveryState.SENDING,
            Delivery.claimed_at < now - STUCK_AFTER,
        )
        .values(
            state=DeliveryState.FAILED,
            last_error="interrupted while sending; not retried so that no second "
            "copy goes out (use Resend if it did not arrive)",
        )
    )
    commit_now()
    return rowcount(result)


def _claim(delivery_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state.in_([DeliveryState.PENDING, DeliveryState.RETRYING]),
            Delivery.next_attempt_at <= now,
        )
        .values(state=DeliveryState.SENDING, claimed_at=now)
    )
    commit_now()
    return rowcount(result) == 1


def _wecom_sent_last_minute(now: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count(Delivery.id)).where(
                Delivery.channel == Channel.WECOM,
                or_(
                    Delivery.sent_at >= now - timedelta(minutes=1),
                    (Delivery.state == DeliveryState.SENDING)
                    & (Delivery.claimed_at >= now - timedelta(minutes=1)),
                ),
            )
        )
        or 0
    )


def _outgoing(delivery_id: int) -> tuple[str, channels.Outgoing]:
    delivery = db.session.get_one(Delivery, delivery_id)
    reminder = delivery.reminder
    out = channels.Outgoing(
        reminder_id=reminder.id,
        title=reminder.title,
        body=reminder.body,
        link=channels.absolute(reminder.link),
        name=reminder.recipient.name,
        email=reminder.recipient.email,
    )
    return delivery.channel, out


def _send(channel: str, out: channels.Outgoing) -> None:
    if channel == Channel.EMAIL:
        channels.send_email(out)
    else:
        channels.send_wecom(out)


BREAKER = 3  # consecutive failures of a channel in one run: leave the rest for later


def deliver_due(limit: int = 200) -> dict[str, int]:
    """Send what is due now; returns counts of sent, retrying, failed and
    postponed. Nothing is held open in the database while a message is on the
    wire, one channel being down never stops the others, and a channel that keeps
    failing in this run leaves its remaining messages for the next run.

    Commits deliberately, many times (``transaction.commit_now``): each claim and
    each outcome is its own small unit of work, so a message sent is recorded sent
    even if a later one fails, and a retry never sends it twice."""
    counts = {"sent": 0, "retrying": 0, "failed": 0, "postponed": 0}
    release_stuck()
    now = utcnow()
    due = db.session.execute(
        select(Delivery.id, Delivery.channel)
        .where(
            Delivery.state.in_([DeliveryState.PENDING, DeliveryState.RETRYING]),
            Delivery.next_attempt_at <= now,
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    ).all()
    commit_now()
    max_attempts = current_app.config["DELIVERY_MAX_ATTEMPTS"]
    failures_in_a_row: dict[str, int] = {}
    rate_limited: set[str] = set()
    for delivery_id, channel in due:
        if channel in rate_limited or failures_in_a_row.get(channel, 0) >= BREAKER:
            counts["postponed"] += 1
            continue
        now = utcnow()
        if (
            channel == Channel.WECOM
            and _wecom_sent_last_minute(now) >= WECOM_PER_MINUTE
        ):
            db.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(next_attempt_at=now + timedelta(minutes=1))
            )
            commit_now()
            counts["postponed"] += 1
            continue
        if not _claim(delivery_id, now):
            continue  # another process took it
        channel, out = _outgoing(delivery_id)
        commit_now()  # deliberate: nothing open while the message is on the wire
        error, retry, wait = None, True, None
        try:
            _send(channel, out)
        except channels.DeliveryError as exc:
            error, wait = str(exc), exc.retry_after
        except Exception as exc:  # a bug or bad data: fail visibly, never loop
            logger.exception("delivery %s could not be built or sent", delivery_id)
            error, retry = f"{type(exc).__name__}: {exc}", False
        delivery = db.session.get_one(Delivery, delivery_id)
        if wait and error is not None:  # a rate limit comes with its message
            _wait_for_the_channel(delivery, error, wait)
            rate_limited.add(channel)
            counts["postponed"] += 1
            commit_now()
            continue
        delivery.attempts += 1
        if error is None:
            delivery.state = DeliveryState.SENT
            delivery.sent_at = utcnow()
            delivery.last_error = ""
            counts["sent"] += 1
            failures_in_a_row[channel] = 0
        else:
            delivery.last_error = error[:1000]
            failures_in_a_row[channel] = failures_in_a_row.get(channel, 0) + 1
            if not retry or delivery.attempts >= max_attempts:
                delivery.state = DeliveryState.FAILED
                counts["failed"] += 1
            else:
                delivery.state = DeliveryState.RETRYING
                delivery.next_attempt_at = utcnow() + _backoff(delivery.attempts)
                counts["retrying"] += 1
            logger.warning("delivery %s (%s) failed: %s", delivery_id, channel, error)
        commit_now()
    return counts


def _wait_for_the_channel(delivery: Delivery, error: str, seconds: int) -> None:
    """Back in the queue after ``seconds``, its attempts untouched: the channel
    refused for its rate, not for anything wrong with this message."""
    delivery.state = (
        DeliveryState.RETRYING if delivery.attempts else DeliveryState.PENDING
    )
    delivery.next_attempt_at = utcnow() + timedelta(seconds=seconds)
    delivery.last_error = error[:1000]
    logger.info(
        "delivery %s (%s) rate limited: %s", delivery.id, delivery.channel, error
    )


def resend(delivery: Delivery) -> None:
    """Put a failed delivery back in the queue (admin page)."""
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.last_error = ""
    db.session.flush()
