"""``pg_dump`` and ``pg_restore``: found on ``PATH`` (or in ``PG_BIN_DIR``) and
checked against the server before anything runs, so a client older than the
server fails with an instruction instead of half an archive."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import URL

from incubator.extensions import db


class ToolError(RuntimeError):
    """A PostgreSQL client tool is missing, too old, or failed."""


def tool(name: str) -> str:
    """The path of ``name`` (``pg_dump`` or ``pg_restore``); ``ToolError`` when
    it is not installed."""
    folder = current_app.config.get("PG_BIN_DIR") or ""
    found = shutil.which(name, path=folder or None)
    if not found:
        raise ToolError(
            f"{name} was not found{' in ' + folder if folder else ''}: install the "
            "PostgreSQL client of the server's version (Debian: postgresql-client) "
            "or set PG_BIN_DIR to the folder that holds it."
        )
    return found


def tool_major(path: str) -> int:
    """The major version of a client tool (``pg_dump (PostgreSQL) 15.20`` → 15)."""
    out = subprocess.run(  # noqa: S603  (a path we found, fixed arguments)
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\)\s*(\d+)", out)
    if not match:
        raise ToolError(f"cannot read the version of {path}: {out.strip()!r}")
    return int(match.group(1))


def server_major() -> int:
    num = db.session.execute(text("SHOW server_version_num")).scalar_one()
    db.session.rollback()
    return int(num) // 10000


def checked_tool(name: str) -> str:
    """``name``'s path after checking that it is not older than the server: an
    older ``pg_dump`` refuses a newer server, and a newer one reads older servers
    fine (PostgreSQL's documented compatibility)."""
    path = tool(name)
    client, server = tool_major(path), server_major()
    if client < server:
        raise ToolError(
            f"{name} is version {client} but the server is PostgreSQL {server}: "
            f"install postgresql-client-{server} (or newer) or set PG_BIN_DIR."
        )
    return path


def connection(url: URL) -> tuple[str, dict[str, str]]:
    """(a libpq connection URI without the password, the environment holding
    it), so the password never shows in the process list."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env)  # noqa: S603
    if result.returncode != 0:
        raise ToolError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")
