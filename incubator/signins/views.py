"""The organizer's sign-in pages of an activity, a session or a booking
(``/signins/<kind>/<id>/...``): the QR code to show on a phone, the printable A4
签到 sheet, the attendee list (remove a sign-in, reveal a number, audited), a
paper sheet typed row by row, and a paper sheet imported from Excel.

Who may do what is ``signins.queries``: the organizer (staff of the record's
community, the leader for her own organization's activities and bookings) shows
the code and adds sheets; a record the user may not see at all is a 404, one she
sees but does not organize (a viewer, an invited organization's leader) a 403.
"""

from __future__ import annotations

from typing import cast

from flask import (
    Blueprint,
    Response,
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
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from incubator.activities.models import Activity
from incubator.auth.permissions import roles_required
from incubator.auth.views import safe_next
from incubator.bookings.models import Booking
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import EmptyForm, UploadForm
from incubator.import_batches import ImportBatch, discard_batch, own_batch
from incubator.sessions.models import TrainingSession
from incubator.signins import importer
from incubator.signins.codes import Record
from incubator.signins.forms import paper_sheet_form, sheet_rows
from incubator.signins.models import SignIn
from incubator.signins.pages import (
    describe,
    qr_for,
    window_state,
    window_words,
)
from incubator.signins.panels import sign_in_box
from incubator.signins.queries import (
    KIND_COLUMNS,
    may_add_sign_ins,
    may_see_record,
)
from incubator.signins.schemas import AttendeeIn
from incubator.signins.services import (
    add_sheet,
    may_reveal_phone,
    remove_sign_in,
    reveal_phone,
)
from incubator.spreadsheets import XLSX
from incubator.transaction import roll_back

bp = Blueprint("signins", __name__, url_prefix="/signins")

# ``kind``: activity, session or booking (anything else is a 404)
RECORD = "/<kind>/<int:target_id>"
# Rows of the attendee list page.
LIST_ROWS = 100
# Rows of the printed sheet: one A4 page with the QR code above them.
SHEET_LINES = 20

_LOADERS: dict[str, tuple[type[Record], tuple]] = {
    "activity": (Activity, (joinedload(Activity.organization),)),
    "session": (TrainingSession, (joinedload(TrainingSession.room),)),
    "booking": (
        Booking,
        (joinedload(Booking.room), joinedload(Booking.organization)),
    ),
}


def load_record(kind: str, target_id: int) -> Record:
    """The record the user may see (else 404), its relationships loaded."""
    if kind not in _LOADERS:
        abort(404)
    model, options = _LOADERS[kind]
    record = cast("Record | None", db.session.get(model, target_id, options=options))
    if record is None or not may_see_record(current_user, record):
        abort(404)
    return record


def organized_record(kind: str, target_id: int) -> Record:
    """The record, when the user organizes it (else 403, or 404 unseen)."""
    record = load_record(kind, target_id)
    if not may_add_sign_ins(current_user, record):
        abort(403)
    return record


def _sign_in_of(record: Record, kind: str, sign_in_id: int) -> SignIn:
    sign_in = db.session.scalar(
        select(SignIn)
        .where(SignIn.id == sign_in_id, KIND_COLUMNS[kind] == record.id)
        .options(joinedload(SignIn.resident))
    )
    if sign_in is None:
        abort(404)
    return sign_in


@bp.route(RECORD + "/code")
@roles_required()
def code(kind: str, target_id: int):
    """The big QR code to show on the organizer's phone, with the live count
    (reload the page)."""
    record = organized_record(kind, target_id)
    url, svg = qr_for(record)
    box = sign_in_box(record, current_user, limit=0)
    return render_template(
        "signins/code.html",
        sheet=describe(record),
        url=url,
        svg=svg,
        window=window_words(record),
        state=window_state(record),
        count=box.people.count,
    )


@bp.route(RECORD + "/sheet")
@roles_required()
def sheet(kind: str, target_id: int):
    """The A4 签到 sheet to print: the QR code and ruled rows for paper."""
    record = organized_record(kind, target_id)
    url, svg = qr_for(record)
    return render_template(
        "signins/sheet.html",
        sheet=describe(record),
        url=url,
        svg=svg,
        window=window_words(record),
        lines=range(1, SHEET_LINES + 1),
        years=current_app.config.get("SIGN_IN_RETENTION_YEARS", 3),
    )


def _list_context(record: Record, page: int) -> dict:
    box = sign_in_box(
        record, current_user, limit=LIST_ROWS, offset=(page - 1) * LIST_ROWS
    )
    pages = max(1, -(-box.people.count // LIST_ROWS))
    return {
        "box": box,
        "sheet": describe(record),
        "page": page,
        "pages": pages,
        "first_row": (page - 1) * LIST_ROWS + 1,
        "revealed": {},
    }


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        return 1


@bp.route(RECORD + "/attendees")
@roles_required()
def attendee_list(kind: str, target_id: int):
    """Everyone signed in to the record (names for those who may see them; the
    count for the others)."""
    record = load_record(kind, target_id)
    return render_template(
        "signins/attendees.html", **_list_context(record, _page_arg())
    )


@bp.route(RECORD + "/attendees/<int:sign_in_id>/reveal", methods=["POST"])
@roles_required()
def reveal(kind: str, target_id: int, sign_in_id: int):
    """One full number on the page (never in a URL), the view audited first."""
    record = load_record(kind, target_id)
    sign_in = _sign_in_of(record, kind, sign_in_id)
    if not may_reveal_phone(current_user, record):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        phone = reveal_phone(sign_in, actor=current_user)
    except DomainError:
        abort(403)
    context = _list_context(record, _page_arg())
    context["revealed"] = {sign_in.id: phone or ""}
    return render_template("signins/attendees.html", **context)


@bp.route(RECORD + "/attendees/<int:sign_in_id>/remove", methods=["POST"])
@roles_required()
def remove(kind: str, target_id: int, sign_in_id: int):
    record = load_record(kind, target_id)
    sign_in = _sign_in_of(record, kind, sign_in_id)
    box = sign_in_box(record, current_user, limit=0)
    if not box.may_remove:
        abort(403)
    if EmptyForm().validate_on_submit():
        try:
            remove_sign_in(sign_in, actor=current_user)
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
        else:
            flash(_("The sign-in was removed."), "success")
    target = request.form.get("next") or url_for(
        "signins.attendee_list", kind=kind, target_id=target_id
    )
    return redirect(safe_next(target))


def _sheet_rows(form) -> tuple[list[AttendeeIn], list]:
    """The filled rows of the paper form as attendees, each checked; a
    refused row gets its message on its field. Returns (attendees, their rows)."""
    found: list[AttendeeIn] = []
    rows = []
    for entry in form.rows:
        if entry.form.blank:
            continue
        try:
            found.append(
                AttendeeIn(name=entry.form.name.data, phone=entry.form.phone.data)
            )
        except DomainError as exc:
            target = entry.form.phone if exc.field == "phone" else entry.form.name
            target.errors = [*target.errors, exc.message]
        except ValueError as exc:  # pydantic's own length checks
            entry.form.name.errors = [*entry.form.name.errors, str(exc)]
        rows.append(entry.form)
    return found, rows


@bp.route(RECORD + "/paper", methods=["GET", "POST"])
@roles_required()
def paper(kind: str, target_id: int):
    """Type a paper sign-in sheet: ten rows; "more rows" posts the lines typed
    back to a longer form (``?rows=``), no script needed."""
    record = organized_record(kind, target_id)
    rows = sheet_rows(request.args.get("rows"))
    form = paper_sheet_form(rows)
    if request.form.get("more"):
        pass  # more rows: the lines typed are shown again, nothing is saved yet
    elif form.validate_on_submit():
        attendees, filled = _sheet_rows(form)
        failed = any(f.name.errors or f.phone.errors for f in filled)
        if not filled:
            form.form_errors.append(_("The sheet has no rows."))
        elif not failed:
            try:
                result = add_sheet(record, attendees, actor=current_user)
            except DomainError as exc:
                roll_back(exc)
                refused = (exc.details or {}).get("rows") or {}
                for number, message in refused.items():
                    filled[int(number) - 1].phone.errors.append(message)
                if not refused:
                    form.form_errors.append(str(exc.message))
            else:
                flash(
                    _(
                        "%(added)d signed in from the sheet; %(already)d had "
                        "signed in already.",
                        added=len(result.added),
                        already=len(result.already),
                    ),
                    "success",
                )
                return redirect(describe(record).page_url)
    return render_template(
        "signins/paper.html",
        form=form,
        sheet=describe(record),
        rows=rows,
        more=min(rows + 10, 100) if rows < 100 else None,
    )


# ---- a paper sheet from Excel ----


@bp.route(RECORD + "/import", methods=["GET", "POST"])
@roles_required()
def import_sheet(kind: str, target_id: int):
    record = organized_record(kind, target_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = importer.prepare_import(
                record, upload.read(), upload.filename or "", actor=current_user
            )
        except DomainError as exc:
            roll_back(exc)
            form.show_domain_error(exc)
        else:
            return redirect(
                url_for(
                    "signins.import_report",
                    kind=kind,
                    target_id=target_id,
                    batch_id=batch.id,
                )
            )
    sheet = describe(record)
    return render_template(
        "imports/upload.html",
        form=form,
        title=_("Import a sign-in sheet: %(title)s", title=sheet.title),
        template_url=url_for("signins.import_template", kind=kind, target_id=target_id),
        one_per_row=_("and fill in one resident per row (name, mobile number)."),
    )


@bp.route(RECORD + "/import/template.xlsx")
@roles_required()
def import_template(kind: str, target_id: int):
    organized_record(kind, target_id)
    return Response(
        importer.template_workbook(),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="sign-in-sheet.xlsx"'},
    )


def _batch(record: Record, batch_id: int) -> ImportBatch:
    batch = own_batch(batch_id, importer.batch_kind(record), current_user)
    if batch is None:
        abort(404)
    return batch


def _show(key: str, row: dict) -> str:
    if key == "phone":
        phone = str(row.get("phone") or "")
        return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone
    return str(row.get(key) or "")


@bp.route(RECORD + "/import/<int:batch_id>")
@roles_required()
def import_report(kind: str, target_id: int, batch_id: int):
    record = organized_record(kind, target_id)
    return render_template(
        "imports/report.html",
        batch=_batch(record, batch_id),
        columns=[(_("Name"), "name"), (_("Mobile number"), "phone")],
        show=_show,
        endpoint="signins.import",
        url_args={"kind": kind, "target_id": target_id},
        form=EmptyForm(),
    )


@bp.route(RECORD + "/import/<int:batch_id>/confirm", methods=["POST"])
@roles_required()
def import_confirm(kind: str, target_id: int, batch_id: int):
    record = organized_record(kind, target_id)
    batch = _batch(record, batch_id)
    if EmptyForm().validate_on_submit():
        try:
            result = importer.confirm_import(batch, record, actor=current_user)
        except DomainError as exc:
            roll_back(exc)
            flash(str(exc.message), "danger")
            return redirect(
                url_for(
                    "signins.import_report",
                    kind=kind,
                    target_id=target_id,
                    batch_id=batch_id,
                )
            )
        flash(
            _(
                "%(added)d signed in from the sheet; %(already)d had "
                "signed in already.",
                added=len(result.added),
                already=len(result.already),
            ),
            "success",
        )
    return redirect(describe(record).page_url)


@bp.route(RECORD + "/import/<int:batch_id>/discard", methods=["POST"])
@roles_required()
def import_discard(kind: str, target_id: int, batch_id: int):
    record = organized_record(kind, target_id)
    batch = _batch(record, batch_id)
    if EmptyForm().validate_on_submit():
        discard_batch(batch, actor=current_user)
        flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(url_for("signins.import_sheet", kind=kind, target_id=target_id))
