"""The user's background exports (我的导出): their state, and the download of a
finished one, for its requester only (anyone else gets a 404, which does not say
that the export exists)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from incubator.auth.permissions import roles_required
from incubator.extensions import db
from incubator.paging import paginate
from incubator.reminders import export_files
from incubator.reminders.models import ExportJob, ExportState
from incubator.spreadsheets import EXPORTS

bp = Blueprint("exports", __name__, url_prefix="/exports")


def export_label(kind: str) -> str:
    export = EXPORTS.get(kind)
    return export.title() if export else kind


@bp.route("")
@roles_required()
def index():
    query = (
        select(ExportJob)
        .where(ExportJob.user_id == current_user.id)
        .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
    )
    return render_template(
        "exports/index.html", page=paginate(query, 20), export_label=export_label
    )


@bp.route("/<int:job_id>/download")
@roles_required()
def download(job_id: int):
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    if job.state != ExportState.DONE or not job.file_name:
        flash(_("This export cannot be downloaded: %(state)s.", state=job.state_label))
        return redirect(url_for("exports.index"))
    try:
        return export_files.send(job.file_name, job.download_name)
    except FileNotFoundError:
        abort(404)
