"""Where background exports' files are kept: ``UPLOAD_FOLDER/exports`` for now.
The one place that touches them, so that moving them to the storage layer
(``incubator.storage``, local folder or S3, shared by several app servers) changes
only this module."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO

from flask import Response, current_app, send_file

from incubator.spreadsheets import XLSX

KIND = "exports"


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / KIND
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(name: str) -> Path:
    # names are generated (export-<id>-<attempt>-<hex>.xlsx), never a user's
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(name)
    return _folder() / name


def put(name: str, data: IO[bytes]) -> None:
    """Store the file ``name`` from the binary file object ``data`` (read to its
    end)."""
    target = _path(name)
    partial = target.with_suffix(".part")
    with partial.open("wb") as out:
        shutil.copyfileobj(data, out)
    partial.replace(target)  # never a half-written file under its name


def exists(name: str) -> bool:
    return _path(name).is_file()


def send(name: str, download_name: str) -> Response:
    """The stored file as an .xlsx download named ``download_name``. Raises
    ``FileNotFoundError`` when it is gone."""
    path = _path(name)
    if not path.is_file():
        raise FileNotFoundError(name)
    return send_file(
        path, mimetype=XLSX, as_attachment=True, download_name=download_name
    )


def delete(name: str) -> None:
    """Delete the file ``name``; nothing happens when it is already gone."""
    _path(name).unlink(missing_ok=True)
