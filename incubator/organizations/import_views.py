"""组织 → 导入: organizations from Excel, with a report before anything is saved
(``incubator.organizations.importer``)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.auth.permissions import roles_required
from incubator.errors import DomainError
from incubator.extensions import db
from incubator.forms import EmptyForm, UploadForm
from incubator.import_batches import ImportBatch, discard_batch, own_batch
from incubator.organizations import importer
from incubator.organizations.models import ORG_KIND_LABELS, OrgKind
from incubator.organizations.views import bp
from incubator.spreadsheets import XLSX


def _batch(batch_id: int) -> ImportBatch:
    batch = own_batch(batch_id, importer.KIND, current_user)
    if batch is None:
        abort(404)
    return batch


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*importer.IMPORTERS)
def import_organizations():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = importer.prepare_import(
                upload.read(), upload.filename or "", actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            form.show_domain_error(exc)
        else:
            return redirect(url_for("organizations.import_report", batch_id=batch.id))
    return render_template(
        "imports/upload.html",
        form=form,
        title=_("Import organizations from Excel"),
        template_url=url_for("organizations.import_template"),
        one_per_row=_("and fill in one organization per row."),
    )


@bp.route("/import/template.xlsx")
@roles_required(*importer.IMPORTERS)
def import_template():
    return Response(
        importer.template_workbook(),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="organizations.xlsx"'},
    )


def _show(key: str, row: dict) -> str:
    if key == "kind":
        return str(ORG_KIND_LABELS[OrgKind(row["kind"])])
    return str(row.get(key) or "")


@bp.route("/import/<int:batch_id>")
@roles_required(*importer.IMPORTERS)
def import_report(batch_id: int):
    return render_template(
        "imports/report.html",
        batch=_batch(batch_id),
        columns=[
            (_("Name"), "name"),
            (_("Kind"), "kind"),
            (_("Founded on"), "founded_on"),
        ],
        show=_show,
        endpoint="organizations.import",
        form=EmptyForm(),
    )


@bp.route("/import/<int:batch_id>/confirm", methods=["POST"])
@roles_required(*importer.IMPORTERS)
def import_confirm(batch_id: int):
    batch = _batch(batch_id)
    if EmptyForm().validate_on_submit():
        try:
            created = importer.confirm_import(batch, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("organizations.import_report", batch_id=batch.id))
        flash(_("%(n)d organizations imported.", n=len(created)), "success")
    return redirect(url_for("organizations.index"))


@bp.route("/import/<int:batch_id>/discard", methods=["POST"])
@roles_required(*importer.IMPORTERS)
def import_discard(batch_id: int):
    batch = _batch(batch_id)
    if EmptyForm().validate_on_submit():
        discard_batch(batch, actor=current_user)
        flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(url_for("organizations.import_organizations"))
