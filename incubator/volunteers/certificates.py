"""Volunteer service record certificates (志愿服务记录证明): each one issued is
recorded with a unique number and the content it certified."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator import signals
from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.volunteers.hours import counted
from incubator.volunteers.models import Certificate, ServiceRecord, Volunteer
from incubator.volunteers.privacy import mask_id_number


def certified_services(
    volunteer: Volunteer, start: date | None, end: date | None
) -> list[ServiceRecord]:
    query = (
        select(ServiceRecord)
        .where(ServiceRecord.volunteer_id == volunteer.id, counted())
        .order_by(ServiceRecord.served_on, ServiceRecord.id)
    )
    if start is not None:
        query = query.where(ServiceRecord.served_on >= start)
    if end is not None:
        query = query.where(ServiceRecord.served_on <= end)
    return [r for r in db.session.scalars(query) if r.hours > 0]


def issue_certificate(
    volunteer: Volunteer,
    *,
    actor: User,
    issuer_name: str,
    start: date | None = None,
    end: date | None = None,
) -> Certificate:
    """Record a certificate for the services in [start, end]. Its number is
    ``<year>-<sequence>`` and unique; the certified content is stored with it."""
    issuer_name = " ".join((issuer_name or "").split())
    if not issuer_name:
        raise ValidationFailed(
            _l("Name the issuing organization."), field="issuer_name"
        )
    if start and end and start > end:
        raise ValidationFailed(_l("The period ends before it starts."), field="end")
    if volunteer.anonymized_at is not None:
        raise ValidationFailed(_l("An anonymized volunteer cannot be certified."))
    services = certified_services(volunteer, start, end)
    if not services:
        raise ValidationFailed(
            _l("No service hours in this period to certify."), field="start"
        )
    today = local_today()
    total = sum((r.hours for r in services), start=services[0].hours * 0)
    certificate = Certificate(
        number=f"tmp-{uuid4().hex[:24]}",
        volunteer_id=volunteer.id,
        issuer_name=issuer_name[:100],
        period_start=start or services[0].served_on,
        period_end=end or services[-1].served_on,
        issued_on=today,
        issued_by_id=actor.id,
        total_hours=total,
        content={
            "name": volunteer.name,
            "volunteer_number": volunteer.number,
            "id_number": mask_id_number(volunteer.id_number),
            "services": [
                {
                    "date": r.served_on.isoformat(),
                    "organization": r.organization.name,
                    "service": r.service,
                    "hours": str(r.hours),
                }
                for r in services
            ],
            "agency": agency_for(volunteer.community_id, today),
        },
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.number = f"{today.year}-{certificate.id:06d}"
    audit.record(
        "issue",
        certificate,
        actor=actor,
        changes={
            "volunteer_id": [None, volunteer.id],
            "number": [None, certificate.number],
            "total_hours": [None, str(total)],
        },
    )
    db.session.flush()
    return certificate


def agency_for(community_id: int, day) -> str:
    """The agency printed on a certificate: the one named on the project serving
    the volunteer's community (``signals.agency_of_community``), else the
    ``AGENCY_NAME`` setting."""
    named = [
        name
        for name in signals.values(
            signals.agency_of_community.send(community_id, on=day)
        )
        if name
    ]
    return named[0] if named else current_app.config.get("AGENCY_NAME", "")
