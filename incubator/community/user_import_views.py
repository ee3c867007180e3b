"""系统管理 → 用户 → 导入: accounts from Excel (``incubator.community.user_import``),
admins only."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from incubator.auth.permissions import roles_required
from incubator.auth.roles import Role
from incubator.community import user_import
from incubator.community.models import Community
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import EmptyForm, UploadForm
from incubator.import_batches import ImportBatch, discard_batch, own_batch
from incubator.spreadsheets import XLSX

bp = Blueprint("user_import", __name__, url_prefix="/admin/users/import")


def _batch(batch_id: int) -> ImportBatch:
    batch = own_batch(batch_id, user_import.KIND, current_user)
    if batch is None:
        abort(404)
    return batch


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            batch = user_import.prepare_import(
                file.read(), file.filename or "", actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            return redirect(url_for("user_import.report", batch_id=batch.id))
    return render_template(
        "imports/upload.html",
        form=form,
        title=_("Import users from Excel"),
        template_url=url_for("user_import.template"),
        one_per_row=_("and fill in one account per row."),
    )


@bp.route("/template.xlsx")
@roles_required(Role.ADMIN)
def template():
    return Response(
        user_import.template_workbook(),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="users.xlsx"'},
    )


@bp.route("/<int:batch_id>")
@roles_required(Role.ADMIN)
def report(batch_id: int):
    batch = _batch(batch_id)
    names = dict(db.session.execute(select(Community.id, Community.name)).all())

    def show(key: str, row: dict) -> str:
        if key == "role":
            return Role(row["role"]).label
        if key == "community_ids":
            return "、".join(names.get(i, "?") for i in row["community_ids"]) or _(
                "All communities"
            )
        return str(row.get(key) or "")

    return render_template(
        "imports/report.html",
        batch=batch,
        columns=[
            (_("Name"), "name"),
            (_("Username"), "username"),
            (_("Role"), "role"),
            (_("Communities"), "community_ids"),
        ],
        show=show,
        endpoint="user_import.import",
        form=EmptyForm(),
    )


@bp.route("/<int:batch_id>/confirm", methods=["POST"])
@roles_required(Role.ADMIN)
def import_confirm(batch_id: int):
    batch = _batch(batch_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("user_import.report", batch_id=batch.id))
    try:
        created = user_import.confirm_import(batch, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("user_import.report", batch_id=batch.id))
    # The generated passwords are shown on this page only, never stored.
    return render_template(
        "imports/users_created.html",
        created=[(user.username, user.name, generated) for user, generated in created],
    )


@bp.route("/<int:batch_id>/discard", methods=["POST"])
@roles_required(Role.ADMIN)
def import_discard(batch_id: int):
    batch = _batch(batch_id)
    if EmptyForm().validate_on_submit():
        discard_batch(batch, actor=current_user)
        flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(url_for("user_import.upload"))
