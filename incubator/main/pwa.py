"""The installable app: the web app manifest, the service worker (served from the
site root so its scope is the whole site) and the page it shows when there is no
signal. Nothing here is personal: the worker caches the shell and the activity
form, never a roster, a resident or an API answer."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import gettext as _

bp = Blueprint("pwa", __name__)

# Files under incubator/static/ that make the app shell (precached at install).
SHELL_STATIC = (
    "css/app.css",
    "js/app.js",
    "js/offline-log.js",
    # the activity form's own scripts: offline, its volunteer search and counter
    "js/volunteer_picker.js",
    "js/char_counter.js",
    "favicon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
)
BOOTSTRAP_STATIC = (
    "css/bootstrap.min.css",
    "umd/popper.min.js",
    "js/bootstrap.min.js",
)
THEME_COLOUR = "#1f6f5c"  # the navbar's --brand


@cache
def _static_digest(static_folder: str) -> str:
    """A short hash of the worker and shell files: a deployment that changes any of
    them gives the worker new bytes, so phones install it and drop the old cache."""
    digest = hashlib.sha256()
    folder = Path(static_folder)
    for name in ("sw.js", *SHELL_STATIC):
        path = folder / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def shell_version() -> str:
    return _static_digest(str(current_app.static_folder))


def shell_urls() -> list[str]:
    urls = [url_for("static", filename=name) for name in SHELL_STATIC]
    urls += [url_for("bootstrap.static", filename=name) for name in BOOTSTRAP_STATIC]
    urls.append(url_for("pwa.offline"))
    return urls


@bp.route("/sw.js")
def service_worker():
    """The worker script with this deployment's version and shell list in front.
    Served from ``/`` (not ``/static/``) so its scope covers every page; never
    cached by the HTTP cache, so an upgrade is seen at the next visit."""
    source = Path(str(current_app.static_folder), "sw.js").read_text(encoding="utf-8")
    header = (
        f"var SHELL_VERSION = {json.dumps(shell_version())};\n"
        f"var SHELL_URLS = {json.dumps(shell_urls())};\n"
        f"var OFFLINE_URL = {json.dumps(url_for('pwa.offline'))};\n"
        f"var QUEUE_SCRIPT = "
        f"{json.dumps(url_for('static', filename='js/offline-log.js'))};\n"
    )
    response = Response(header + source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": url_for("static", filename="favicon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        }
    )
    body = {
        "name": _("Community organization incubation"),
        "short_name": _("Community incubator"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = Response(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    return response


@bp.route("/offline")
def offline():
    """Shown by the worker for a page that cannot be reached without signal. The
    same for everyone (no name, no menu): the worker keeps it in its cache."""
    response = Response(render_template("main/offline.html"))
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    return response
