"""The package works installed: a wheel built from the checkout, installed in a
fresh virtualenv outside it, migrates a database and renders the login page in
Chinese with its styles, without reading a file of the checkout.

The build needs no network: ``pip wheel --no-build-isolation`` uses the setuptools,
wheel and babel of the test's environment (the dev extras). The fresh virtualenv
has no pip and no dependencies of its own: a ``.pth`` file lets it see the
dependencies already installed in the test's environment (the ``.pth`` files in
those directories, e.g. the editable install's finder, are not run), never the
checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from config import TestingConfig
from incubator import create_app

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180

# What the wheel is built from: the checkout without its environments, build
# output, local data and tests (a copy, so the build writes nothing into the
# checkout and no stale build/ of an earlier run can slip into the wheel).
TOP_LEVEL_SKIPPED = {
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "instance",
    "backups",
    "docs",
    "tests",
    "tmp",
    ".env",
}
SKIPPED = shutil.ignore_patterns(
    "__pycache__", "*.py[co]", "*.mo", "*.egg-info", ".pytest_cache", ".ruff_cache"
)

# The page must be translated: these come from the compiled catalogue in the wheel.
LOGIN_LABELS = ("登录", "用户名", "密码")

CHECK_INSTALLED = textwrap.dedent(
    """
    import re, sys
    from pathlib import Path

    import config, incubator
    from incubator import create_app

    checkout, venv = Path(sys.argv[1]), Path(sys.prefix).resolve()
    for module in (incubator, config):
        assert Path(module.__file__).resolve().is_relative_to(venv), module.__file__
    for entry in sys.path:
        place = Path(entry or ".").resolve()
        assert place != checkout, f"the checkout is on sys.path: {entry!r}"

    app = create_app()
    assert Path(app.template_folder).is_relative_to(venv), app.template_folder
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    for label in sys.argv[2:]:
        assert label in html, f"{label!r} missing from the login page"
    assets = re.findall(r'(?:href|src)="(/[^"]+\\.(?:css|js|svg))"', html)
    assert any("bootstrap" in a and a.endswith(".css") for a in assets), assets
    assert "/static/css/app.css" in assets, assets
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200 and answer.data, (asset, answer.status_code)
        answer.close()
    print("ok", len(assets), "assets")
    """
)


def _copy_sources(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(SKIPPED(directory, names))
        if Path(directory) == ROOT:
            skipped |= TOP_LEVEL_SKIPPED & set(names)
        return skipped

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)


def _require_build_backend() -> None:
    for module in ("pip", "setuptools", "wheel", "babel"):
        if importlib.util.find_spec(module) is None:  # found, not imported
            pytest.skip(
                f"cannot build the wheel offline: {module} is missing from this "
                "environment (install the dev extras: pip install -e '.[dev]')"
            )


def _run(command: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603  (our own fixed command lines)
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    shown = " ".join(a if len(a) < 200 else "SCRIPT" for a in command)
    assert done.returncode == 0, (
        f"{shown} failed ({done.returncode}):\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _clean_environment(tmp: Path) -> dict[str, str]:
    """The caller's environment without anything that points at the checkout or
    chooses the app, its database or its key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "FLASK_", "PIP_", "VIRTUAL_ENV"))
        and key
        not in {
            "DATABASE_URL",
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "UPLOAD_FOLDER",
            "INCUBATOR_ENV",
        }
    }
    env.update(
        PYTHONNOUSERSITE="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        DATABASE_URL=f"sqlite:///{tmp / 'installed.sqlite3'}",
        HOME=str(tmp),
    )
    return env


def test_the_wheel_installs_migrates_and_renders_login(tmp_path):
    _require_build_backend()
    source, dist, venv, work = (tmp_path / n for n in ("src", "dist", "venv", "cwd"))
    work.mkdir()
    env = _clean_environment(tmp_path)
    _copy_sources(source)

    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            str(dist),
            str(source),
        ],
        cwd=work,
        env=env,
    )
    (wheel,) = dist.glob("incubator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "incubator/templates/base.html",
        "incubator/templates/auth/login.html",
        "incubator/migrations/env.py",
        "incubator/migrations/alembic.ini",
        "incubator/migrations/script.py.mako",
        "incubator/static/css/app.css",
        "incubator/translations/zh_Hans_CN/LC_MESSAGES/messages.mo",
        "config.py",
    ):
        assert shipped in names, f"{shipped} is not in the wheel"
    versions = {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    assert versions and all(
        f"incubator/migrations/versions/{v}" in names for v in versions
    )
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]

    # A fresh virtualenv outside the checkout, seeing the installed dependencies.
    _run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        cwd=work,
        env=env,
    )
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--no-compile",
            "--quiet",
            str(wheel),
        ],
        cwd=work,
        env=env,
    )
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = _run(
        [str(python), "-c", where],
        cwd=work,
        env=env,
    ).strip()
    shared = dict.fromkeys(
        sysconfig.get_paths()[kind] for kind in ("purelib", "platlib")
    )
    (Path(purelib) / "shared-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in shared), "utf-8"
    )

    # The documented way: flask db upgrade finds the migrations in the package.
    _run(
        [str(python), "-m", "flask", "--app", "incubator:create_app", "db", "upgrade"],
        cwd=work,
        env=env,
    )
    with closing(sqlite3.connect(tmp_path / "installed.sqlite3")) as conn:
        (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    assert version == head
    # The instance folder (here the random secret key) is the installed package's,
    # <prefix>/var/incubator-instance, never in site-packages or the checkout.
    assert (venv / "var" / "incubator-instance" / "secret_key").is_file()

    out = _run(
        [str(python), "-c", CHECK_INSTALLED, str(ROOT), *LOGIN_LABELS],
        cwd=work,
        env=env,
    )
    assert out.startswith("ok"), out


def test_the_checkout_serves_its_own_templates_and_migrations():
    """Run from the checkout (make run, the editable install), the app reads the
    top-level templates/ and migrations/, whatever the working directory."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert Path(app.template_folder) == ROOT / "templates"
    assert Path(app.extensions["migrate"].directory) == ROOT / "migrations"
    assert not (ROOT / "incubator" / "templates").exists()
    assert not (ROOT / "incubator" / "migrations").exists()
