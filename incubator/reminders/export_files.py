"""Where background exports' files are kept: the storage layer
(``incubator.storage``: a local folder, or an S3-compatible object store shared by
several app servers), kind ``exports``. The one place that touches them."""

from __future__ import annotations

from typing import IO

from flask import Response

from incubator import storage
from incubator.spreadsheets import XLSX

KIND = "exports"


def put(name: str, data: IO[bytes]) -> None:
    """Store the file ``name`` (generated: ``export-<id>-<attempt>-<hex>.xlsx``)
    from the binary file object ``data``. Not undone by a request's rollback: it
    is written by the scheduler, whose job records it. Raises
    ``storage.StorageUnavailable``."""
    storage.put(KIND, name, data, XLSX, undo_on_rollback=False)


def exists(name: str) -> bool:
    return storage.exists(KIND, name)


def names() -> list[str]:
    """The names of every stored export file."""
    return [name for _kind, name in storage.names(KIND)]


def send(name: str, download_name: str) -> Response:
    """The stored file as an .xlsx download named ``download_name``. Raises
    ``FileNotFoundError`` when it is gone."""
    try:
        return storage.send(
            KIND, name, mimetype=XLSX, download_name=download_name, as_attachment=True
        )
    except storage.StoredFileMissing as exc:
        raise FileNotFoundError(name) from exc


def delete(name: str) -> None:
    """Delete the file ``name``; nothing happens when it is already gone."""
    storage.delete(KIND, name)
