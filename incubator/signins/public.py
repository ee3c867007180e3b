"""The public sign-in page (签到): what a resident's phone opens from the QR code
of an activity, a session or a booking. No account, no JavaScript (a plain form
POST, as WeChat's in-app browser does it), nothing loaded from the internet.

- ``GET /signin/<code>``: the record's title, organizer, time and place, the
  fields 姓名 and 手机号, the consent notice and its checkbox; prefilled from the
  phone's own remember cookie (a signed cookie of its own, not the login
  session), which "不是我" clears.
- ``POST``: signs in (``services.sign_in``, source ``qr``) and answers a big
  ✓; already signed in answers so too. Bad input is shown on the form (400),
  outside the window a page says when sign-in opens or closed (409), a bad
  code is a 404, too many posts a 429 (``throttle``). Nothing is stored then,
  except the throttle's count, which outlives the refusal on purpose.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, StringField

from incubator.activities.models import Activity
from incubator.bookings.models import Booking
from incubator.database import utcnow
from incubator.errors import DomainError, RuleViolation
from incubator.extensions import db
from incubator.forms import BaseForm
from incubator.security import ControlCharacterInInput
from incubator.signins import services, throttle
from incubator.signins.codes import Record, record_for, window
from incubator.signins.models import SignInSource
from incubator.signins.schemas import NAME_MAX, PHONE_MAX, AttendeeIn
from incubator.transaction import commit_now

bp = Blueprint("signin", __name__, url_prefix="/signin")

REMEMBER_COOKIE = "signin_remember"
REMEMBER_FOR = timedelta(days=365)
TEMPLATE = "signins/public.html"


class PublicSignInForm(BaseForm):
    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX})
    phone = StringField(_l("Mobile number"), render_kw={"maxlength": PHONE_MAX})
    consent = BooleanField(_l("I agree to the notice above"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.consent.data:
            self.consent.errors = [
                *self.consent.errors,
                _l("Please tick the box to agree; without it we cannot sign you in."),
            ]
            ok = False
        return ok


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="signin-remember")


def remembered() -> dict[str, str]:
    """The name and phone this phone signed in with last, or ``{}``."""
    raw = request.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: str(value.get(k, ""))[:PHONE_MAX] for k in ("name", "phone")}


def _remember(response: Response, data: AttendeeIn) -> None:
    response.set_cookie(
        REMEMBER_COOKIE,
        _serializer().dumps({"name": data.name, "phone": data.phone}),
        max_age=int(REMEMBER_FOR.total_seconds()),
        path=bp.url_prefix,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def describe(record: Record) -> dict:
    """What the page says about ``record``: title, organizer, time and place."""
    if isinstance(record, Activity):
        return {
            "title": record.title,
            "organizer": record.organization.name,
            "place": record.room.name if record.room else record.place_label,
        }
    agency = current_app.config.get("AGENCY_NAME", "")
    if isinstance(record, Booking):
        organizer = record.organization.name if record.organization else ""
        return {
            "title": record.purpose or record.service_type_label,
            "organizer": organizer or record.outside_unit or agency,
            "place": record.room.name,
        }
    # A capacity-building session is the agency's own.
    return {
        "title": record.title,
        "organizer": agency,
        "place": record.room.name if record.room else record.place,
    }


def _page(record: Record, form, *, status: int = 200, **extra):
    opens, closes = window(record)
    now = utcnow()
    context = {
        "record": record,
        "about": describe(record),
        "form": form,
        "opens": opens,
        "closes": closes,
        "state": extra.pop("state", _state(record, now)),
        "remembered": bool(remembered()),
        "retention_years": current_app.config.get("SIGN_IN_RETENTION_YEARS", 3),
        **extra,
    }
    return render_template(TEMPLATE, **context), status


def _state(record: Record, now: datetime) -> str:
    """``open``, ``early``, ``closed`` or ``unavailable`` (cancelled, unconfirmed)."""
    try:
        services.check_accepts_sign_ins(record)
    except RuleViolation:
        return "unavailable"
    opens, closes = window(record)
    if now < opens:
        return "early"
    if now >= closes:
        return "closed"
    return "open"


def _not_found():
    return render_template("signins/public_missing.html"), 404


@bp.route("/<code>", methods=["GET"])
def page(code: str):
    record = record_for(code)
    if record is None:
        return _not_found()
    known = remembered()
    # Who signed in on this phone before has agreed to the same notice.
    form = PublicSignInForm(formdata=None, data={**known, "consent": bool(known)})
    return _page(record, form)


@bp.route("/<code>", methods=["POST"])
def submit(code: str):
    address = request.remote_addr or ""
    if throttle.over_limit(address, code):
        db.session.rollback()
        return render_template("signins/public_busy.html"), 429
    throttle.count(address, code)
    record = record_for(code)
    if record is None:
        commit_now()  # deliberate: a refused post still counts toward the throttle
        return _not_found()
    form = PublicSignInForm()
    if not form.validate():
        commit_now()  # deliberate: as above
        return _page(record, form, status=400)
    try:
        data = AttendeeIn(name=form.name.data or "", phone=form.phone.data or "")
        row, created = services.sign_in(
            record, data, source=SignInSource.QR, actor=None
        )
    except DomainError as exc:
        db.session.rollback()
        throttle.count(address, code)
        commit_now()  # deliberate: as above
        if isinstance(exc, RuleViolation):
            return _page(record, form, status=409)
        form.show_domain_error(exc)
        return _page(record, form, status=400)
    body, _status = _page(record, form, state="done", created=created)
    response = make_response(body, 201 if created else 200)
    _remember(response, data)
    return response


@bp.route("/<code>/forget", methods=["GET"])
def forget(code: str):
    """ "不是我": this phone forgets the name and number it remembered."""
    response = redirect(url_for("signin.page", code=code))
    response.delete_cookie(REMEMBER_COOKIE, path=bp.url_prefix)
    return response


@bp.errorhandler(ControlCharacterInInput)
def _control_characters(exc: ControlCharacterInInput):
    record = record_for((request.view_args or {}).get("code", ""))
    if record is None:
        return _not_found()
    form = PublicSignInForm(formdata=None)
    form.form_errors.append(_l("Control characters are not allowed."))
    return _page(record, form, status=400)


@bp.errorhandler(CSRFError)
def _expired(exc: CSRFError):
    record = record_for((request.view_args or {}).get("code", ""))
    if record is None:
        return _not_found()
    form = PublicSignInForm(formdata=None, data=remembered())
    form.form_errors.append(
        _l("The page had expired. Please check your details and send it again.")
    )
    return _page(record, form, status=400)
