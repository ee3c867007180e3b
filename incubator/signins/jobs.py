"""The retention job: residents not signed in for ``SIGN_IN_RETENTION_YEARS``
(default 3) are anonymized (name, phones and key removed; the row and its
sign-ins stay, so the counts of old periods stay). Run daily by the scheduler
and by ``flask signins anonymize``; idempotent (an erased resident has no key
and is skipped)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app

from incubator.database import utcnow
from incubator.signins import services, throttle

logger = logging.getLogger(__name__)


def retention_cutoff(now: datetime) -> datetime:
    """The moment before which a last sign-in is past retention."""
    years = int(current_app.config.get("SIGN_IN_RETENTION_YEARS", 3))
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def anonymize_expired(now: datetime | None = None) -> int:
    """Anonymize every resident whose last sign-in is older than the retention
    period; returns how many. Also drops the public page's old throttle
    counts. The caller's unit of work commits."""
    now = now or utcnow()
    count = services.erase_expired(retention_cutoff(now), now=now)
    throttle.prune(now - timedelta(hours=1))
    if count:
        logger.info("signins: %d residents past retention anonymized", count)
    return count


def daily_job() -> None:
    anonymize_expired()
